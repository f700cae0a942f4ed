package helpdesk_test

import (
	"testing"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/notify/notifytest"
	"github.com/deskkit/helpdesk/notify/webpush"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPushPublicKey: the pages subscribe browsers with the Web Push sender's VAPID key, and
// learn that push is not set up when the Desk has no such sender.
func TestPushPublicKey(t *testing.T) {
	keys, err := webpush.GenerateKeys()
	require.NoError(t, err)
	sender, err := webpush.New(webpush.Config{VAPIDPublicKey: keys.Public, VAPIDPrivateKey: keys.Private, Subscriber: "mailto:ops@example.com"})
	require.NoError(t, err)
	for _, c := range []struct {
		name      string
		notifiers map[notify.Channel]notify.Notifier
		want      string
	}{
		{"a Web Push sender", map[notify.Channel]notify.Notifier{notify.Push: sender}, keys.Public},
		{"no push channel", nil, ""},
		{"a push notifier without a key", map[notify.Channel]notify.Notifier{notify.Push: notifytest.NewRecorder()}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, err := helpdesk.New(openSQLite(t), &helpdesk.Config{SecretKeys: [][]byte{testKey}, Notifiers: c.notifiers})
			require.NoError(t, err)
			assert.Equal(t, c.want, d.PushPublicKey())
		})
	}
}
