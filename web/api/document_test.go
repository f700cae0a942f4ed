package api_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/deskkit/helpdesk/web/api"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite docs/openapi.json from the code")

// committed is the document committed for clients to generate code from.
var committed = filepath.Join("..", "..", "docs", "openapi.json")

// TestDocument fails when the committed document is not the one the code generates (run
// `go test ./web/api -run TestDocument -update` to rewrite it), and when it is not a valid
// OpenAPI 3.1 document.
func TestDocument(t *testing.T) {
	doc, err := api.Document()
	require.NoError(t, err)
	if *update {
		require.NoError(t, os.WriteFile(committed, doc, 0o644))
	}
	want, err := os.ReadFile(committed)
	require.NoError(t, err, "docs/openapi.json is missing: run go test ./web/api -run TestDocument -update")
	// Not assert.Equal: a diff of the whole document would bury the message.
	assert.True(t, string(want) == string(doc), "docs/openapi.json is stale: run go test ./web/api -run TestDocument -update")

	loaded, err := openapi3.NewLoader().LoadFromData(doc)
	require.NoError(t, err)
	assert.True(t, loaded.IsOpenAPI31OrLater())
	require.NoError(t, loaded.Validate(context.Background()))
}
