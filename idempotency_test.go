package helpdesk_test

import (
	"strings"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIdempotency(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		created := helpdesk.StoredResponse{Status: 201, Header: map[string]string{"Location": "/api/v1/tickets/1"},
			Body: []byte(`{"ref":"T-1"}`)}

		t.Run("claim, finish, replay", func(t *testing.T) {
			resp, err := f.desk.BeginIdempotent(ctx, f.agent, "create-1", "fp-a")
			require.NoError(t, err)
			require.Nil(t, resp, "the first request runs")

			_, err = f.desk.BeginIdempotent(ctx, f.agent, "create-1", "fp-a")
			assert.ErrorIs(t, err, helpdesk.ErrIdempotencyInProgress, "while it runs")
			assert.Equal(t, helpdesk.KindConflict, helpdesk.KindOf(err))
			_, err = f.desk.BeginIdempotent(ctx, f.agent, "create-1", "fp-b")
			assert.ErrorIs(t, err, helpdesk.ErrIdempotencyMismatch, "another request with the key")
			assert.Equal(t, helpdesk.KindInvalid, helpdesk.KindOf(err))

			require.NoError(t, f.desk.FinishIdempotent(ctx, f.agent, "create-1", created))
			resp, err = f.desk.BeginIdempotent(ctx, f.agent, "create-1", "fp-a")
			require.NoError(t, err)
			assert.Equal(t, &created, resp, "a retry replays the response")
			_, err = f.desk.BeginIdempotent(ctx, f.agent, "create-1", "fp-b")
			assert.ErrorIs(t, err, helpdesk.ErrIdempotencyMismatch, "also once finished")

			// What the store keeps is sealed: an answer may carry a secret shown once.
			held, err := s.ClaimIdempotencyKey(ctx, &storage.IdempotencyRecord{TenantID: f.agent.TenantID,
				Principal: "user:" + f.agent.UserID.String(), Key: "create-1", Fingerprint: "fp-a",
				CreatedAt: f.clock.Now(), LockedUntil: f.clock.Now()}, f.clock.Now().Add(-helpdesk.IdempotencyRetention))
			require.NoError(t, err)
			if assert.NotNil(t, held, "the stored record") {
				assert.NotContains(t, string(held.Body), "T-1", "the body is sealed at rest")
			}

			tokenActor := f.agent
			tokenActor.Scopes = tenant.ScopeWrite
			resp, err = f.desk.BeginIdempotent(ctx, tokenActor, "create-1", "fp-a")
			require.NoError(t, err)
			assert.Equal(t, &created, resp, "the same person through a token")

			for name, other := range map[string]tenant.Actor{"another user": f.agent2, "a code holder": f.holder,
				"another tenant's user": f.addTenant(t, "Other Service", "OS").agent} {
				resp, err := f.desk.BeginIdempotent(ctx, other, "create-1", "fp-b")
				require.NoError(t, err, name)
				assert.Nil(t, resp, "%s has keys of their own", name)
			}

			f.clock.Advance(helpdesk.IdempotencyRetention)
			resp, err = f.desk.BeginIdempotent(ctx, f.agent, "create-1", "fp-b")
			require.NoError(t, err)
			assert.Nil(t, resp, "a day later the key is free")
		})

		t.Run("lease", func(t *testing.T) {
			_, err := f.desk.BeginIdempotent(ctx, f.agent, "lease", "fp")
			require.NoError(t, err)
			f.clock.Advance(helpdesk.IdempotencyLease - time.Second)
			_, err = f.desk.BeginIdempotent(ctx, f.agent, "lease", "fp")
			assert.ErrorIs(t, err, helpdesk.ErrIdempotencyInProgress)
			f.clock.Advance(time.Second)
			resp, err := f.desk.BeginIdempotent(ctx, f.agent, "lease", "fp")
			require.NoError(t, err)
			assert.Nil(t, resp, "a lapsed lease is taken over")
		})

		t.Run("carried out, answer lost", func(t *testing.T) {
			// The process dies between the ticket's commit and FinishIdempotent: a retry
			// after the lease must not open the ticket again.
			_, err := f.desk.BeginIdempotent(ctx, f.agent, "died", "fp")
			require.NoError(t, err)
			before, err := walkPages(func(p storage.PageRequest) (storage.Page[*ticket.Ticket], error) {
				return f.desk.Tickets(ctx, f.agent, storage.TicketFilter{}, p)
			})
			require.NoError(t, err)
			_, err = f.desk.SubmitTicket(helpdesk.WithIdempotencyKey(ctx, f.agent, "died"), f.agent,
				helpdesk.NewTicket{Title: "Opened once", DeviceID: f.devX.ID})
			require.NoError(t, err)
			_, err = f.desk.BeginIdempotent(ctx, f.agent, "died", "fp")
			assert.ErrorIs(t, err, helpdesk.ErrIdempotencyInProgress, "within the lease it may still answer")
			f.clock.Advance(helpdesk.IdempotencyLease)
			_, err = f.desk.BeginIdempotent(ctx, f.agent, "died", "fp")
			assert.ErrorIs(t, err, helpdesk.ErrIdempotencyAnswerLost, "after the lease it does not run again")
			assert.Equal(t, helpdesk.KindConflict, helpdesk.KindOf(err))
			after, err := walkPages(func(p storage.PageRequest) (storage.Page[*ticket.Ticket], error) {
				return f.desk.Tickets(ctx, f.agent, storage.TicketFilter{}, p)
			})
			require.NoError(t, err)
			assert.Len(t, after, len(before)+1)

			// A request that failed changed nothing, even under its key: a retry runs it.
			_, err = f.desk.BeginIdempotent(ctx, f.agent, "refused", "fp")
			require.NoError(t, err)
			_, err = f.desk.SubmitTicket(helpdesk.WithIdempotencyKey(ctx, f.agent, "refused"), f.agent, helpdesk.NewTicket{})
			require.Error(t, err)
			f.clock.Advance(helpdesk.IdempotencyLease)
			resp, err := f.desk.BeginIdempotent(ctx, f.agent, "refused", "fp")
			require.NoError(t, err)
			assert.Nil(t, resp, "taken over")
		})

		t.Run("abandon", func(t *testing.T) {
			_, err := f.desk.BeginIdempotent(ctx, f.agent, "fails", "fp")
			require.NoError(t, err)
			require.NoError(t, f.desk.AbandonIdempotent(ctx, f.agent, "fails"))
			require.NoError(t, f.desk.AbandonIdempotent(ctx, f.agent, "fails"), "again")
			resp, err := f.desk.BeginIdempotent(ctx, f.agent, "fails", "fp")
			require.NoError(t, err)
			assert.Nil(t, resp, "a retry runs again")
		})

		t.Run("finish without a claim", func(t *testing.T) {
			err := f.desk.FinishIdempotent(ctx, f.agent, "never-claimed", created)
			assert.Equal(t, helpdesk.KindNotFound, helpdesk.KindOf(err))
		})

		t.Run("keys", func(t *testing.T) {
			for _, key := range []string{"", strings.Repeat("k", 256), "schlüssel", "line\nbreak", "tab\t"} {
				_, err := f.desk.BeginIdempotent(ctx, f.agent, key, "fp")
				var ve *helpdesk.ValidationError
				if assert.ErrorAs(t, err, &ve, "%q", key) {
					assert.Equal(t, "Idempotency-Key", ve.Field)
				}
			}
			resp, err := f.desk.BeginIdempotent(ctx, f.agent, strings.Repeat("k", 255)+"", "fp")
			require.NoError(t, err)
			assert.Nil(t, resp)
			_, err = f.desk.BeginIdempotent(ctx, tenant.System(), "k", "fp")
			assert.Equal(t, helpdesk.KindUnauthenticated, helpdesk.KindOf(err), "the platform acts in no tenant")
		})
	})
}
