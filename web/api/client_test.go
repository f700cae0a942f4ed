package api_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deskkit/helpdesk/web/api"
	"github.com/deskkit/helpdesk/web/api/internal/apiclient"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGeneratedClientIsCurrent fails while the generated client is older than the document.
func TestGeneratedClientIsCurrent(t *testing.T) {
	doc, err := os.ReadFile(committed)
	require.NoError(t, err)
	sum := sha256.Sum256(doc)
	stamp, err := os.ReadFile(filepath.Join("internal", "apiclient", "openapi.sha256"))
	require.NoError(t, err)
	assert.Equal(t, hex.EncodeToString(sum[:]), strings.TrimSpace(string(stamp)),
		"the generated client is stale: go generate ./web/api/internal/apiclient")
}

// client is a generated client that sends the named person's token.
func (w *world) client(t *testing.T, as string) *apiclient.ClientWithResponses {
	t.Helper()
	token := w.tokens[as]
	c, err := apiclient.NewClientWithResponses(w.srv.URL+api.Prefix, apiclient.WithRequestEditorFn(
		func(_ context.Context, req *http.Request) error {
			req.Header.Set("Authorization", "Bearer "+token)
			return nil
		}))
	require.NoError(t, err)
	return c
}

// TestGeneratedClient runs the whole ticket flow through the client oapi-codegen generated
// from the committed document, as an integration would: a customer's user opens a ticket, an
// agent finds it, takes it on, answers, works it and finishes it, the user rates it, and the
// history tells the story. On SQLite and PostgreSQL.
func TestGeneratedClient(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		w := newWorld(t, e)
		ctx := t.Context()
		user, agent := w.client(t, "customer_user"), w.client(t, "agent")

		desc := "It stops after ten minutes"
		created, err := user.CreateTicketWithResponse(ctx, nil, apiclient.CreateTicketJSONRequestBody{
			Title: "Compressor trips", Description: &desc})
		require.NoError(t, err)
		require.Equal(t, http.StatusCreated, created.StatusCode(), string(created.Body))
		tk := created.JSON201
		assert.Equal(t, "open", string(tk.State))
		assert.Equal(t, "Compressor trips", tk.Title)

		open := []apiclient.ListTicketsParamsState{"open"}
		q := "compressor"
		list, err := agent.ListTicketsWithResponse(ctx, &apiclient.ListTicketsParams{State: &open, Q: &q})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, list.StatusCode(), string(list.Body))
		require.Len(t, list.JSON200.Items, 1)
		assert.Equal(t, tk.Id, list.JSON200.Items[0].Id)

		accepted, err := agent.AcceptTicketWithResponse(ctx, tk.Id, nil)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, accepted.StatusCode(), string(accepted.Body))
		assert.Equal(t, "assigned", string(accepted.JSON200.State))

		msg, err := agent.PostMessageWithResponse(ctx, tk.Id, nil, apiclient.PostMessageJSONRequestBody{Body: "Please send the error code"})
		require.NoError(t, err)
		require.Equal(t, http.StatusCreated, msg.StatusCode(), string(msg.Body))
		msgs, err := user.ListMessagesWithResponse(ctx, tk.Id, nil)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, msgs.StatusCode(), string(msgs.Body))
		require.NotEmpty(t, msgs.JSON200.Items)
		assert.Equal(t, "Please send the error code", msgs.JSON200.Items[len(msgs.JSON200.Items)-1].Body)
		reply, err := user.PostMessageWithResponse(ctx, tk.Id, nil, apiclient.PostMessageJSONRequestBody{Body: "E42"})
		require.NoError(t, err)
		require.Equal(t, http.StatusCreated, reply.StatusCode(), string(reply.Body))

		for _, ev := range []apiclient.TicketEventBodyEvent{"start", "complete"} {
			got, err := agent.FireTicketEventWithResponse(ctx, tk.Id, nil, apiclient.FireTicketEventJSONRequestBody{Event: ev})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, got.StatusCode(), "%s: %s", ev, got.Body)
		}
		stars, comment := 5, "Fast and friendly"
		rated, err := user.FireTicketEventWithResponse(ctx, tk.Id, nil, apiclient.FireTicketEventJSONRequestBody{
			Event: "rate", Stars: &stars, Comment: &comment})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, rated.StatusCode(), string(rated.Body))
		assert.Equal(t, "closed", string(rated.JSON200.State))
		require.NotNil(t, rated.JSON200.Rating)
		assert.Equal(t, 5, rated.JSON200.Rating.Stars)

		hist, err := agent.ListHistoryWithResponse(ctx, tk.Id, &apiclient.ListHistoryParams{Limit: ptr(100)})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, hist.StatusCode(), string(hist.Body))
		var actions []string
		for _, h := range hist.JSON200.Items {
			actions = append(actions, h.Action)
		}
		for _, want := range []string{"accept", "start", "complete", "rate"} {
			assert.Contains(t, actions, want)
		}

		// A refusal arrives as the document's problem type.
		again, err := user.FireTicketEventWithResponse(ctx, tk.Id, nil, apiclient.FireTicketEventJSONRequestBody{
			Event: "rate", Stars: &stars})
		require.NoError(t, err)
		require.NotNil(t, again.ApplicationproblemJSONDefault, string(again.Body))
		assert.Equal(t, http.StatusConflict, again.StatusCode())
	})
}

func ptr[T any](v T) *T { return &v }
