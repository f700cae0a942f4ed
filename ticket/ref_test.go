package ticket_test

import (
	"testing"

	"github.com/deskkit/helpdesk/ticket"
	"github.com/stretchr/testify/assert"
)

func TestParseRef(t *testing.T) {
	cases := []struct {
		ref    string
		prefix string
		number int64
	}{
		{"T-000123", "T", 123},
		{"t-000123", "T", 123},
		{"T-123", "T", 123},
		{" hd2-7 ", "HD2", 7},
		{"ACME-X-000001", "ACME-X", 1},
	}
	for _, c := range cases {
		prefix, n, err := ticket.ParseRef(c.ref)
		if assert.NoError(t, err, c.ref) {
			assert.Equal(t, c.prefix, prefix, c.ref)
			assert.Equal(t, c.number, n, c.ref)
		}
	}
	for _, bad := range []string{"", "T", "T-", "-1", "000123", "T-0", "T-1x", "T-99999999999999999999"} {
		_, _, err := ticket.ParseRef(bad)
		assert.ErrorIs(t, err, ticket.ErrInvalidRef, bad)
	}
	assert.Equal(t, "T-000042", ticket.FormatRef("T", 42))
}
