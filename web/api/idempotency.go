package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"

	"github.com/deskkit/helpdesk"
)

// replayedHeaders are the answer's headers a replay repeats.
var replayedHeaders = []string{"Content-Type", "Location", "ETag"}

// idempotent runs a POST that carries an Idempotency-Key at most once for its caller: the
// first request claims the key (in the database, so across instances) and stores its answer;
// a retry with the same key and the same request gets that answer again, marked
// Idempotent-Replayed; the same key with another request is refused (422), and one that
// arrives while the first still runs answers 409. Only a success is kept: a refused request
// changed nothing (every Desk operation is one transaction), so its key is released and the
// corrected request may use it again, as a client fixing its input expects.
func (h *Handler) idempotent(c *call, o *operation) {
	key := c.r.Header.Get("Idempotency-Key")
	limit := max(h.cfg.MaxBody, h.cfg.MaxUpload/3*4+h.cfg.MaxBody)
	body, err := io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, limit))
	if err != nil {
		writeProblem(c.w, jsonProblem(err))
		return
	}
	c.r.Body = io.NopCloser(bytes.NewReader(body))
	sum := sha256.New()
	io.WriteString(sum, c.r.Method+" "+c.r.URL.RequestURI()+"\n"+c.r.Header.Get("Content-Type")+"\n")
	sum.Write(body)
	fingerprint := hex.EncodeToString(sum.Sum(nil))
	stored, err := h.desk.BeginIdempotent(c.ctx, c.actor, key, fingerprint)
	if errors.Is(err, helpdesk.ErrIdempotencyMismatch) {
		err = badInput("Idempotency-Key", "was used within the last 24 hours for another request: a new request needs a new key")
	}
	if err != nil {
		h.fail(c.w, o, err)
		return
	}
	if stored != nil {
		for k, v := range stored.Header {
			c.w.Header().Set(k, v)
		}
		c.w.Header().Set("Idempotent-Replayed", "true")
		c.w.WriteHeader(stored.Status)
		_, _ = c.w.Write(stored.Body)
		return
	}
	rec := &recorder{ResponseWriter: c.w}
	c.w = rec
	// The operation's transaction marks the claim carried out with its change, so that a
	// retry after this process dies does not run it again.
	c.ctx = helpdesk.WithIdempotencyKey(c.ctx, c.actor, key)
	h.run(c, o)
	if rec.status/100 != 2 {
		if err := h.desk.AbandonIdempotent(c.ctx, c.actor, key); err != nil {
			h.cfg.Logger.Error("api: release idempotency key", "op", o.id, "err", err)
		}
		return
	}
	resp := helpdesk.StoredResponse{Status: rec.status, Header: map[string]string{}, Body: rec.body.Bytes()}
	for _, k := range replayedHeaders {
		if v := rec.Header().Get(k); v != "" {
			resp.Header[k] = v
		}
	}
	if err := h.desk.FinishIdempotent(c.ctx, c.actor, key, resp); err != nil {
		h.cfg.Logger.Error("api: keep idempotent answer", "op", o.id, "err", err)
	}
}

// recorder passes an answer through and keeps a copy.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}
