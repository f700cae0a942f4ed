package helpdesk_test

import (
	"context"
	"net/netip"
	"testing"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestResealSecrets rotates the master key: after ResealSecrets under the new key first,
// the tenant's SMTP password and its webhook's secrets open with the new key alone; a second
// run finds nothing to do; only the platform's system actor may run it; a Desk without the
// key that sealed a secret reports it.
func TestResealSecrets(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		ms := startMailServer(t, "acme", smtpPassword)
		f := newNotifyFixture(t, s, mailerConfig())
		_, err := f.desk.SetSMTP(ctx, f.admin, smtpInput(ms, smtpPassword))
		require.NoError(t, err)
		helpdesk.SetLookupIP(f.desk, func(context.Context, string) ([]netip.Addr, error) {
			return []netip.Addr{netip.MustParseAddr("93.184.215.14")}, nil
		})
		hook, _, err := f.desk.CreateWebhook(ctx, f.admin, helpdesk.NewWebhook{URL: "https://erp.example.com/hook"})
		require.NoError(t, err)
		_, err = f.desk.RotateWebhookSecret(ctx, f.admin, hook.ID, 0)
		require.NoError(t, err, "a previous secret too, within its overlap")

		newKey := []byte("the tests' second master key, 32+")
		desk := func(keys ...[]byte) *helpdesk.Desk {
			cfg := mailerConfig()
			cfg.Now, cfg.SecretKeys = f.clock.Now, keys
			d, err := helpdesk.New(s, &cfg)
			require.NoError(t, err)
			return d
		}
		both := desk(newKey, testKey)
		_, err = both.ResealSecrets(ctx, f.admin)
		require.ErrorIs(t, err, helpdesk.ErrForbidden, "a tenant's admin may not")
		_, err = both.ResealSecrets(ctx, tenant.SystemFor(f.tenant.ID))
		require.ErrorIs(t, err, helpdesk.ErrForbidden, "a tenant's system actor may not")

		done, err := both.ResealSecrets(ctx, tenant.System())
		require.NoError(t, err)
		assert.Equal(t, helpdesk.Resealed{Tenants: 1, Secrets: 2}, done, "the SMTP password and the webhook")
		done, err = both.ResealSecrets(ctx, tenant.System())
		require.NoError(t, err)
		assert.Equal(t, helpdesk.Resealed{Tenants: 1}, done, "nothing left to reseal")

		only := desk(newKey)
		require.NoError(t, only.TestSMTP(ctx, f.admin, "ada@example.com"), "the password opens with the new key alone")
		secrets, err := helpdesk.WebhookSecrets(only, f.tenant.ID, hook.ID)
		require.NoError(t, err, "the webhook's secrets open with the new key alone")
		assert.Len(t, secrets, 2, "the current and the previous secret")

		_, err = desk([]byte("a key that never sealed anything!")).ResealSecrets(ctx, tenant.System())
		assert.Error(t, err, "no key opens the secrets")
	})
}
