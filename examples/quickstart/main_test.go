package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestQuickstart runs the tour to its end on an in-memory database: every step the library
// refuses would stop it with an error.
func TestQuickstart(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(t.Context(), &out, "sqlite::memory:"), out.String())
	for _, step := range []string{"nurse sends photo", "closed"} {
		assert.True(t, strings.Contains(out.String(), step), "the tour reaches %q:\n%s", step, out.String())
	}
}
