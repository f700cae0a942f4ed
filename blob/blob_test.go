package blob_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/deskkit/helpdesk/blob"
)

func TestValidKey(t *testing.T) {
	tests := []struct {
		name string
		key  string
		want bool
	}{
		{"one byte", "a", true},
		{"every key byte", "ABCXYZabcxyz0189._-", true},
		{"nested", "tenant/ticket/file.jpg", true},
		{"three dots", "a/...", true},
		{"dot prefix", ".hidden/..x/x..", true},
		{"max length", strings.Repeat("k", blob.MaxKeyLen), true},
		{"empty", "", false},
		{"too long", strings.Repeat("k", blob.MaxKeyLen+1), false},
		{"absolute", "/a", false},
		{"trailing slash", "a/", false},
		{"empty segment", "a//b", false},
		{"dot", ".", false},
		{"dot segment", "a/./b", false},
		{"dotdot", "..", false},
		{"dotdot first", "../x", false},
		{"dotdot inside", "a/../b", false},
		{"dotdot last", "a/..", false},
		{"backslash", `a\b`, false},
		{"space", "a b", false},
		{"plus", "a+b", false},
		{"tilde", "a~", false},
		{"colon", "c:x", false},
		{"nul", "a\x00", false},
		{"newline", "a\nb", false},
		{"non-ASCII", "grüße", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, blob.ValidKey(tt.key), "ValidKey(%q)", tt.key)
		})
	}
}
