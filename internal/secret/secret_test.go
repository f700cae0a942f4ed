package secret_test

import (
	"encoding/base64"
	"fmt"
	"testing"

	"github.com/deskkit/helpdesk/internal/secret"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewTokenAndHash(t *testing.T) {
	a, b := secret.NewToken(), secret.NewToken()
	assert.NotEqual(t, a, b)
	raw, err := base64.RawURLEncoding.DecodeString(a)
	require.NoError(t, err)
	assert.Len(t, raw, secret.TokenBytes)
	assert.Equal(t, secret.Hash(a), secret.Hash(a))
	assert.NotEqual(t, secret.Hash(a), secret.Hash(b))
	assert.Len(t, secret.Hash(a), 64)
}

func ExampleHash() {
	fmt.Println(secret.Hash("token"))
	// Output: 3c469e9d6c5875d37a43f353d4f88e61fcf812c66eee3457465a40b0da4153e0
}
