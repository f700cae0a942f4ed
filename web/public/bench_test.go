package public_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/blob"
	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/internal/pgtest"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/deskkit/helpdesk/web/public"
	"github.com/stretchr/testify/require"
)

// The benchmarks run on PostgreSQL (HELPDESK_TEST_POSTGRES), each beside its baseline; see
// BENCHMARKS.md for the figures and the command that reproduces them.

// benchClientsPerCPU sets how many clients run at once: GOMAXPROCS × this.
const benchClientsPerCPU = 4

// benchSite is a Desk on a PostgreSQL schema of its own with one device and code, and the
// public pages served over loopback.
type benchSite struct {
	desk *helpdesk.Desk
	code *device.Code
	srv  *httptest.Server
}

func newBenchSite(b *testing.B) *benchSite {
	b.Helper()
	ctx := context.Background()
	s, err := bunstore.Open(ctx, pgtest.Schema(b))
	require.NoError(b, err)
	b.Cleanup(func() { _ = s.Close() })
	require.NoError(b, s.MigrateUp(ctx))
	d, err := helpdesk.New(s, &helpdesk.Config{SecretKeys: [][]byte{[]byte("the public benchmarks' key, 32 b")},
		Blobs: blob.NewMem(), Logger: slog.New(slog.DiscardHandler)})
	require.NoError(b, err)
	op, err := d.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Bench", Language: "en"})
	require.NoError(b, err)
	sys := tenant.SystemFor(op.ID)
	// The benchmark opens far more tickets through its code than the default quota allows.
	_, err = d.UpdateSettings(ctx, sys, op.Version, tenant.Settings{Quotas: tenant.Quotas{TicketsPerCodeHour: 1 << 30}})
	require.NoError(b, err)
	cust, err := d.CreateCustomer(ctx, sys, helpdesk.NewCustomer{Name: "Northwind Hospital"})
	require.NoError(b, err)
	tpl, err := d.CreateTemplate(ctx, sys, helpdesk.NewTemplate{Name: "Infusion pump X200",
		Fields: []device.FieldDef{{Key: "firmware", Label: "Firmware", Type: device.FieldText, Public: true}},
		Blocks: []device.Block{
			{Kind: device.BlockText, Title: "About", Body: "A volumetric infusion pump for wards and intensive care."},
			{Kind: device.BlockFAQ, Title: "The pump beeps twice", Body: "Check the tubing for air."},
			{Kind: device.BlockFAQ, Title: "The display stays dark", Body: "Connect the mains cable and hold the power key."},
		}})
	require.NoError(b, err)
	dev, err := d.CreateDevice(ctx, sys, helpdesk.NewDevice{Name: "Pump 7", SerialNumber: "X200-0007", Location: "Ward 3",
		TemplateID: tpl.ID, CustomerID: cust.ID, Fields: map[string]string{"firmware": "2.4.1"}})
	require.NoError(b, err)
	code, err := d.CreateCode(ctx, sys, dev.ID, helpdesk.NewCode{})
	require.NoError(b, err)
	// Every client is on loopback: the per-client limit would throttle the benchmark itself.
	h, err := public.New(d, &public.Config{Logger: slog.New(slog.DiscardHandler), LookupsPerMinute: 1e9, LookupBurst: 1e6})
	require.NoError(b, err)
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	return &benchSite{desk: d, code: code, srv: srv}
}

// benchClient is an HTTP client that keeps its connections and follows no redirect.
func benchClient() *http.Client {
	return &http.Client{
		Transport:     &http.Transport{MaxIdleConnsPerHost: 256},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// requestForm is the request form as a browser posts it without a photo: multipart, with the
// empty file field.
func requestFormBody(b *testing.B) (string, []byte) {
	b.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, kv := range [][2]string{{"title", benchTicket.Title}, {"description", benchTicket.Description},
		{"name", benchTicket.Requester.Name}, {"email", benchTicket.Requester.Email}, {"phone", ""}} {
		require.NoError(b, mw.WriteField(kv[0], kv[1]))
	}
	_, err := mw.CreateFormFile("photos", "")
	require.NoError(b, err)
	require.NoError(b, mw.Close())
	return mw.FormDataContentType(), buf.Bytes()
}

var benchTicket = helpdesk.NewTicket{
	Title:       "Pump alarms every ten minutes",
	Description: "Occlusion alarm, tubing replaced, still alarming.",
	Requester:   ticket.Contact{Name: "Nina Nurse", Email: "nina@example.com", Language: "en"},
}

// latencies collects the duration of every operation of a parallel benchmark.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

// report adds the p95 latency to the benchmark's figures.
func (l *latencies) report(b *testing.B) {
	if len(l.d) == 0 {
		return
	}
	slices.Sort(l.d)
	b.ReportMetric(float64(l.d[len(l.d)*95/100].Microseconds())/1000, "p95-ms")
}

// BenchmarkPublicSubmit measures submitting a ticket through the public request form: the
// form POSTed over loopback to the handler by several clients at once (desk/ beside it calls
// Desk.SubmitTicket directly with as many goroutines). The form's path adds the HTTP round
// trip, parsing the multipart form, resolving the code (ResolveCode: the code, the device and
// its template) and the redirect.
func BenchmarkPublicSubmit(b *testing.B) {
	s := newBenchSite(b)
	ctx := context.Background()
	page, err := s.desk.ResolveCode(ctx, s.code.Token, "")
	require.NoError(b, err)
	b.Run("desk", func(b *testing.B) {
		var lat latencies
		b.SetParallelism(benchClientsPerCPU)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				start := time.Now()
				if _, err := s.desk.SubmitTicket(ctx, page.Actor, benchTicket); err != nil {
					b.Error(err)
					return
				}
				lat.add(time.Since(start))
			}
		})
		lat.report(b)
	})
	b.Run("form", func(b *testing.B) {
		ctype, body := requestFormBody(b)
		client := benchClient()
		url := s.srv.URL + "/c/" + s.code.Token + "/request"
		var lat latencies
		b.SetParallelism(benchClientsPerCPU)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				start := time.Now()
				req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
				req.Header.Set("Content-Type", ctype)
				req.Header.Set("Origin", s.srv.URL)
				req.Header.Set("Sec-Fetch-Site", "same-origin")
				res, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/requests/") {
					b.Errorf("the form answered %d %q", res.StatusCode, res.Header.Get("Location"))
					return
				}
				lat.add(time.Since(start))
			}
		})
		lat.report(b)
	})
}

// BenchmarkDevicePage measures the device page a QR code opens, fetched over loopback by one
// client (alone/) and by several at once (busy/): resolving the code and counting the scan (one
// UPDATE of the code's row, which concurrent visits of one code take in turn), reading the
// tenant, the device and its template, and rendering the page. It reports the p95 latency and
// the page's weight (see pageWeight).
func BenchmarkDevicePage(b *testing.B) {
	s := newBenchSite(b)
	client := benchClient()
	url := s.srv.URL + "/c/" + s.code.Token
	weight, err := pageWeight(client, s.srv.URL, "/c/"+s.code.Token)
	require.NoError(b, err)
	get := func(lat *latencies) bool {
		start := time.Now()
		res, err := client.Get(url)
		if err != nil {
			b.Error(err)
			return false
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Errorf("the device page answered %d", res.StatusCode)
			return false
		}
		lat.add(time.Since(start))
		return true
	}
	b.Run("alone", func(b *testing.B) {
		var lat latencies
		for b.Loop() {
			if !get(&lat) {
				return
			}
		}
		lat.report(b)
		b.ReportMetric(float64(weight), "page-bytes")
	})
	b.Run("busy", func(b *testing.B) {
		var lat latencies
		b.SetParallelism(benchClientsPerCPU)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if !get(&lat) {
					return
				}
			}
		})
		lat.report(b)
	})
}

// pageWeight fetches a page and every stylesheet, script and image it links to on its own
// host, and returns their bytes together, as a browser with an empty cache downloads them.
func pageWeight(client *http.Client, base, path string) (int, error) {
	fetch := func(u string) ([]byte, error) {
		res, err := client.Get(base + u)
		if err != nil {
			return nil, err
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("%s answered %d", u, res.StatusCode)
		}
		return io.ReadAll(res.Body)
	}
	page, err := fetch(path)
	if err != nil {
		return 0, err
	}
	total := len(page)
	for _, ref := range linkedResources(string(page)) {
		if !strings.HasPrefix(ref, "/") || strings.HasPrefix(ref, "//") {
			return 0, fmt.Errorf("%s links to %s on another host", path, ref)
		}
		b, err := fetch(ref)
		if err != nil {
			return 0, err
		}
		total += len(b)
	}
	return total, nil
}
