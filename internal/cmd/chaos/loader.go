package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
)

// titlePrefix starts the title of every ticket the loader submits; the submission's
// Idempotency-Key follows, so that the checker finds a key's tickets.
const titlePrefix = "chaos "

// loader submits tickets over the JSON API as a careful client does: each request with an
// Idempotency-Key, retried with the same key (on any instance) until it is answered 2xx or
// refused for good.
type loader struct {
	addrs  []string
	token  string
	client *http.Client
	// giveUp is how long one request is retried before the loader gives up on it.
	giveUp time.Duration

	mu   sync.Mutex
	told []Told
	errs map[string]int // what the failed attempts met, by kind
	lost int            // requests given up on
	// answerLost counts requests carried out whose answer was lost with their server.
	answerLost int
	expire     int // every expire-th ticket takes PathExpire
}

// run submits a ticket every interval until ctx ends or max tickets (0: no limit) were
// submitted, then waits for the submissions under way.
func (l *loader) run(ctx context.Context, interval time.Duration, max int) {
	var wg sync.WaitGroup
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for i := 0; max == 0 || i < max; i++ {
		select {
		case <-ctx.Done():
			wg.Wait()
			return
		case <-tick.C:
		}
		path := PathOffer
		if l.expire > 0 && i%l.expire == l.expire-1 {
			path = PathExpire
		}
		wg.Go(func() { l.submit(i, path) })
	}
	wg.Wait()
}

// submit opens one ticket and, for PathExpire, accepts it and makes it wait.
func (l *loader) submit(i int, path Path) {
	key := uuid.NewString()
	body := map[string]any{"title": titlePrefix + key, "description": fmt.Sprintf("ticket %d of the chaos run", i),
		"requester": map[string]string{"name": fmt.Sprintf("Requester %d", i), "email": fmt.Sprintf("req-%d@chaos.example", i)}}
	var created struct {
		ID  uuid.UUID `json:"id"`
		Ref string    `json:"ref"`
	}
	if !l.call(http.MethodPost, "/api/v1/tickets", key, body, &created, nil) {
		return
	}
	tl := Told{Key: key, ID: created.ID, Ref: created.Ref, Path: path}
	if path == PathExpire {
		id := created.ID.String()
		tl.Waiting = l.call(http.MethodPost, "/api/v1/tickets/"+id+"/accept", uuid.NewString(), nil, nil,
			l.reached(id, ticket.StateAssigned, ticket.StateWaiting, ticket.StateClosed)) &&
			l.call(http.MethodPost, "/api/v1/tickets/"+id+"/events", uuid.NewString(), map[string]any{"event": "wait"}, nil,
				l.reached(id, ticket.StateWaiting, ticket.StateClosed))
	}
	l.mu.Lock()
	l.told = append(l.told, tl)
	l.mu.Unlock()
}

// call sends one request, retried with the same Idempotency-Key on a random instance after
// a network error, a 5xx, a 409 or a 429, until it is answered 2xx or refused (another 4xx)
// or giveUp passes. It decodes a 2xx answer into out. A 409 is the key held by an attempt
// still running (or by one whose instance died, until its lease ends), or a concurrent change
// that won; or, for a lifecycle event, the ticket's state: an attempt whose answer was lost
// may have done it. So before retrying a 409, settled (when given) reports whether the
// request's effect is there already, which ends the retries as a success.
func (l *loader) call(method, path, key string, body, out any, settled func() bool) bool {
	var payload []byte
	if body != nil {
		payload, _ = json.Marshal(body)
	}
	deadline := time.Now().Add(l.giveUp)
	wait := 100 * time.Millisecond
	for attempt := 0; ; attempt++ {
		addr := l.addrs[rand.IntN(len(l.addrs))]
		status, answer, err := l.once(method, "http://"+addr+path, key, payload)
		switch {
		case err == nil && status/100 == 2:
			if out != nil {
				if err := json.Unmarshal(answer, out); err != nil {
					l.note("undecodable answer")
					return false
				}
			}
			return true
		case err != nil:
			l.note(errKind(err))
		case status == http.StatusConflict && bytes.Contains(answer, []byte("carried out")):
			// The first attempt's change is stored but its answer was lost with its server:
			// the request does not run again, and the loader is not told its result.
			l.note("HTTP 409 (answer lost)")
			l.mu.Lock()
			l.answerLost++
			l.mu.Unlock()
			return false
		case status == http.StatusConflict:
			l.note("HTTP 409")
			if settled != nil && !bytes.Contains(answer, []byte("in progress")) && settled() {
				return true
			}
		case status >= 500 || status == http.StatusTooManyRequests:
			l.note(fmt.Sprintf("HTTP %d", status))
		default:
			l.note(fmt.Sprintf("HTTP %d (refused)", status))
			fmt.Printf("chaos: %s %s refused with %d: %s\n", method, path, status, strings.TrimSpace(string(answer)))
			l.mu.Lock()
			l.lost++
			l.mu.Unlock()
			return false
		}
		if time.Now().After(deadline) {
			l.mu.Lock()
			l.lost++
			l.mu.Unlock()
			return false
		}
		time.Sleep(wait + rand.N(wait))
		wait = min(2*wait, 2*time.Second)
	}
}

// reached returns a check that ticket id is in one of states.
func (l *loader) reached(id string, states ...ticket.State) func() bool {
	return func() bool {
		var t struct {
			State ticket.State `json:"state"`
		}
		status, answer, err := l.once(http.MethodGet, "http://"+l.addrs[rand.IntN(len(l.addrs))]+"/api/v1/tickets/"+id, "", nil)
		if err != nil || status != http.StatusOK || json.Unmarshal(answer, &t) != nil {
			return false
		}
		return slices.Contains(states, t.State)
	}
}

func (l *loader) once(method, url, key string, payload []byte) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(payload))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+l.token)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := l.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	return resp.StatusCode, answer, err
}

func (l *loader) note(kind string) {
	l.mu.Lock()
	l.errs[kind]++
	l.mu.Unlock()
}

// errKind names a network error's kind for the summary.
func errKind(err error) string {
	s := err.Error()
	switch {
	case strings.Contains(s, "connection refused"):
		return "connection refused"
	case strings.Contains(s, "connection reset"), strings.Contains(s, "EOF"):
		return "connection dropped"
	case errors.Is(err, context.DeadlineExceeded), strings.Contains(s, "timeout"):
		return "timeout"
	}
	return "network error"
}

// errorSummary lists the loader's failed attempts by kind, most frequent first.
func (l *loader) errorSummary() (string, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	type kv struct {
		k string
		v int
	}
	var all []kv
	total := 0
	for k, v := range l.errs {
		all = append(all, kv{k, v})
		total += v
	}
	sort.Slice(all, func(i, j int) bool { return all[i].v > all[j].v || all[i].v == all[j].v && all[i].k < all[j].k })
	parts := make([]string, len(all))
	for i, e := range all {
		parts[i] = fmt.Sprintf("%s %d", e.k, e.v)
	}
	if len(parts) == 0 {
		return "none", 0
	}
	return strings.Join(parts, ", "), total
}
