package ticket_test

import (
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/deskkit/helpdesk/ticket"
)

var update = flag.Bool("update", false, "rewrite the generated lifecycle diagrams in ../docs")

const regenerate = "go test ./ticket -run TestDiagramsUpToDate -update"

// diagramDoc renders a lifecycle diagram as the committed markdown file.
func diagramDoc(title, source, mermaid string) string {
	return "# " + title + "\n\n" +
		"Generated from " + source + "; do not edit. Run `" + regenerate + "` to regenerate.\n\n" +
		"```mermaid\n" + mermaid + "```\n"
}

func TestDiagramsUpToDate(t *testing.T) {
	tests := []struct {
		name string
		path string
		want string
	}{
		{
			name: "ticket",
			path: filepath.Join("..", "docs", "ticket-lifecycle.md"),
			want: diagramDoc("Ticket lifecycle", "ticket.TicketLifecycle()", ticket.TicketLifecycle().Mermaid()),
		},
		{
			name: "session",
			path: filepath.Join("..", "docs", "session-lifecycle.md"),
			want: diagramDoc("Video session lifecycle", "ticket.SessionLifecycle()", ticket.SessionLifecycle().Mermaid()),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(tt.path), 0o755))
				require.NoError(t, os.WriteFile(tt.path, []byte(tt.want), 0o644))
				return
			}
			got, err := os.ReadFile(tt.path)
			if errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("%s is missing; run `%s` to generate it", tt.path, regenerate)
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, string(got),
				"%s is stale: the %s lifecycle changed; run `%s` and commit the result", tt.path, tt.name, regenerate)
		})
	}
}

func TestMermaidDeterministic(t *testing.T) {
	tlc, slc := ticket.TicketLifecycle(), ticket.SessionLifecycle()
	wantT, wantS := tlc.Mermaid(), slc.Mermaid()
	for range 20 {
		require.Equal(t, wantT, ticket.TicketLifecycle().Mermaid())
		require.Equal(t, wantS, ticket.SessionLifecycle().Mermaid())
	}
	require.Contains(t, wantT, "    draft --> open: submit\n")
	require.Contains(t, wantS, "    [*] --> requested: request\n")
	require.Contains(t, wantS, "    [*] --> invited: invite\n")
	require.Contains(t, wantS, "    requested --> invited: invite\n")
}
