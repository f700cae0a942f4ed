package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/blob"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/video"
	"github.com/deskkit/helpdesk/video/videotest"
	"github.com/deskkit/helpdesk/web"
	"github.com/deskkit/helpdesk/web/api"
	"github.com/deskkit/helpdesk/web/backoffice"
	"github.com/deskkit/helpdesk/web/ops"
	"github.com/deskkit/helpdesk/web/public"
	"github.com/google/uuid"
)

func main() {
	db := flag.String("db", "helpdesk-demo.db", "SQLite database `file` (created and seeded when missing)")
	addr := flag.String("addr", "127.0.0.1:8080", "`address` to serve on")
	baseURL := flag.String("base-url", "", "public `URL` of the server, for links (default http://ADDR)")
	quiet := flag.Bool("quiet", false, "do not log requests")
	logFormat := flag.String("log-format", "text", "log `format`: text (key=value) or json (one object a line)")
	private := flag.Bool("allow-private-targets", false,
		"let webhooks go to loopback and private addresses (to try them with a receiver on this machine; never on a server others use)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *db, *addr, *baseURL, *logFormat, *quiet, *private); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, dbPath, addr, baseURL, logFormat string, quiet, private bool) error {
	logger, err := ops.NewLogger(os.Stderr, logFormat, slog.LevelWarn)
	if err != nil {
		return err
	}
	accessLog := logger
	if !quiet {
		if accessLog, err = ops.NewLogger(os.Stderr, logFormat, slog.LevelInfo); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	if baseURL == "" {
		// A phone cannot open a link to 0.0.0.0 or [::]: links name localhost then, and
		// the banner asks for -base-url.
		host, port, _ := net.SplitHostPort(ln.Addr().String())
		if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
			host = "localhost"
		}
		baseURL = "http://" + net.JoinHostPort(host, port)
	}
	baseURL = strings.TrimRight(baseURL, "/")
	_, statErr := os.Stat(dbPath)
	fresh := errors.Is(statErr, os.ErrNotExist)

	store, err := bunstore.Open(ctx, "sqlite:"+dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.MigrateUp(ctx); err != nil {
		return err
	}
	key, err := masterKey(dbPath + ".key")
	if err != nil {
		return err
	}
	files, err := blob.NewDir(dbPath + ".files")
	if err != nil {
		return err
	}
	d, err := newDemo(store, baseURL, key, files, logger, private)
	if err != nil {
		return err
	}
	worldPath := dbPath + ".json"
	if fresh {
		if d.world, err = seed(ctx, d.desk); err != nil {
			return fmt.Errorf("seed the demo: %w", err)
		}
		if err := d.world.save(worldPath); err != nil {
			return err
		}
	} else if d.world, err = loadWorld(worldPath); err != nil {
		return fmt.Errorf("%s exists but %s cannot be read (%v): delete both to start afresh", dbPath, worldPath, err)
	}

	mux, err := d.handler(accessLog)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := d.desk.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			logger.Error("background work stopped", "err", err)
		}
	}()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()

	printBanner(os.Stdout, d, dbPath, fresh)
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Println("\nstopped")
	return nil
}

// printBanner tells what the demo serves: where to start, a device's page with its QR code
// for a phone, the mailbox, and where the data is.
func printBanner(w io.Writer, d *demo, dbPath string, fresh bool) {
	device := d.desk.CodeURL(d.world.Codes[0].Token)
	data := "kept from an earlier run"
	if fresh {
		data = "new, seeded with demo data"
	}
	fmt.Fprintf(w, "helpdesk demo on %s\n\n", d.base)
	fmt.Fprintf(w, "  start here:     %s/demo/ (the devices, and the requests to answer as staff)\n", d.base)
	fmt.Fprintf(w, "  a device page:  %s\n", device)
	fmt.Fprintf(w, "  mailbox:        %s/demo/mailbox (the e-mails and text messages sent)\n", d.base)
	fmt.Fprintf(w, "  back office:    %s/login (password %s for ada@acme.example, admin;\n"+
		"                  sam@acme.example, agent; nina@northwind.example, the customer's admin)\n", d.base, demoPassword)
	fmt.Fprintf(w, "  JSON API:       %s%s/openapi.json (its OpenAPI document; make a token under\n"+
		"                  Profile > API tokens and send it as Authorization: Bearer <token>)\n", d.base, api.Prefix)
	fmt.Fprintf(w, "  data:           %s (%s; delete %s* to start afresh)\n\n", dbPath, data, dbPath)
	if qr, err := terminalQR(device); err == nil {
		fmt.Fprintf(w, "The device page's QR code, for a phone's camera:\n\n%s\n", qr)
	}
	if u, err := url.Parse(d.base); err == nil && localOnly(u.Hostname()) {
		fmt.Fprintf(w, "%s is this machine only: for a phone on your network, run with\n"+
			"  -addr 0.0.0.0:%s -base-url http://THIS-MACHINE'S-IP:%s\n\n", u.Hostname(), portOf(u), portOf(u))
	}
	fmt.Fprintln(w, "Press Ctrl-C to stop.")
}

// localOnly reports whether host names this machine alone (localhost, a loopback address).
func localOnly(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// portOf returns u's port, or the scheme's default.
func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "https" {
		return "443"
	}
	return "80"
}

// demo is one demo on its database: the desk, what the seed made, and the stand-ins for the
// outside world, a mailbox for e-mail and text messages and a fake video provider.
type demo struct {
	desk  *helpdesk.Desk
	world *world
	box   *mailbox
	calls *videotest.Fake
	base  string
	// metrics are the Desk's and the site's, served at /metrics.
	metrics *ops.Metrics
}

// newDemo makes the demo's desk on store, serving baseURL: messages go to its mailbox, calls
// to its fake video provider; private lets webhooks reach this machine's network. Its world
// is set by seed or loadWorld.
func newDemo(store storage.Store, baseURL string, key []byte, files blob.Store, logger *slog.Logger, private bool) (*demo, error) {
	d := &demo{box: &mailbox{}, calls: videotest.NewFake(), base: baseURL, metrics: ops.NewMetrics(nil)}
	var err error
	d.desk, err = helpdesk.New(store, &helpdesk.Config{
		BaseURL:    baseURL,
		SecretKeys: [][]byte{key},
		Notifiers:  map[notify.Channel]notify.Notifier{notify.Email: d.box, notify.SMS: d.box},
		Video:      d.calls,
		Blobs:      files,
		Logger:     logger,
		// Webhooks to loopback and private addresses, for a receiver on this machine.
		AllowPrivateTargets: private,
		Observer:            d.metrics,
	})
	if err != nil {
		return nil, err
	}
	d.metrics.ReadBacklog(d.desk)
	return d, nil
}

// handler returns the demo's whole site: the start page, mailbox and staff console under
// /demo/ ("/" leads there) and the public pages everywhere else, their video calls reported
// as the provider's callbacks would, and the operator's /healthz, /readyz and /metrics.
// accessLog receives the requests, one line each with its request ID (web.Trace).
func (d *demo) handler(accessLog *slog.Logger) (http.Handler, error) {
	desk := d.desk
	pub, err := public.New(desk, &public.Config{
		Logger: accessLog,
		// One person tries every page in every language from one address, quickly.
		LookupsPerMinute: 1200, LookupBurst: 400,
		Joined: func(ctx context.Context, room, identity string) error {
			return desk.HandleRoomEvent(ctx, video.Event{Kind: video.ParticipantJoined, Room: room, Participant: identity})
		},
		EndCall: func(ctx context.Context, room string) error {
			if err := d.calls.EndRoom(ctx, room); err != nil {
				return err
			}
			return desk.HandleRoomEvent(ctx, video.Event{Kind: video.RoomEnded, Room: room})
		},
	})
	if err != nil {
		return nil, err
	}
	console, err := newConsole(desk, d.world, d.box, d.base, accessLog)
	if err != nil {
		return nil, err
	}
	bo, err := backoffice.New(desk, &backoffice.Config{Tenant: backoffice.SingleTenant(d.world.TenantID), Logger: accessLog})
	if err != nil {
		return nil, err
	}
	apiHandler, err := api.New(desk, &api.Config{Logger: accessLog})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/demo/", console)
	mux.Handle(api.Prefix+"/", apiHandler)
	// The public pages have their own prefixes; everything else is the back office's, but
	// for the Video Sessions list at exactly /sessions, beside the public session links.
	for _, p := range []string{"/c/", "/request-links/", "/requests/", "/sessions/"} {
		mux.Handle(p, pub)
	}
	mux.Handle("/sessions", bo)
	// "/" is the back office's dashboard for someone signed in, else it leads to the start
	// page, its query ("?lang=de") kept.
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		if _, err := r.Cookie(backoffice.SessionCookie); err == nil {
			bo.ServeHTTP(w, r)
			return
		}
		http.Redirect(w, r, (&url.URL{Path: "/demo/", RawQuery: r.URL.RawQuery}).String(), http.StatusFound)
	})
	// The staff's e-mails link a ticket's back-office page: signed in, that page; else the
	// console's row, where the demo's staff act without signing in.
	mux.HandleFunc("GET /tickets/{id}", func(w http.ResponseWriter, r *http.Request) {
		if _, err := r.Cookie(backoffice.SessionCookie); err == nil {
			bo.ServeHTTP(w, r)
			return
		}
		id, err := uuid.Parse(r.PathValue("id"))
		if err != nil {
			pub.ServeHTTP(w, r) // the public pages' "not found"
			return
		}
		http.Redirect(w, r, "/demo/#t-"+id.String(), http.StatusFound)
	})
	// The pages name no icon, so browsers ask for this one: no content, rather than a 404 in
	// the log for every page.
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	ops.Mount(mux, desk, d.metrics)
	mux.Handle("/", bo)
	return web.Trace(accessLog, mux, d.metrics.ObserveRequest), nil
}

// masterKey reads the demo's master key from path, making it the first time: links in the
// demo's e-mails keep working across restarts.
func masterKey(path string) ([]byte, error) {
	if k, err := os.ReadFile(path); err == nil && len(k) >= helpdesk.MinSecretKeyBytes {
		return k, nil
	}
	k := make([]byte, helpdesk.MinSecretKeyBytes)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	return k, os.WriteFile(path, k, 0o600)
}
