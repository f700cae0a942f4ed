package main

import (
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/blob"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/notify/smtpmail"
	"github.com/deskkit/helpdesk/notify/twiliosms"
	"github.com/deskkit/helpdesk/notify/webpush"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/video/twiliovideo"
	"github.com/deskkit/helpdesk/web"
	"github.com/deskkit/helpdesk/web/api"
	"github.com/deskkit/helpdesk/web/backoffice"
	"github.com/deskkit/helpdesk/web/ops"
	"github.com/deskkit/helpdesk/web/public"
	"github.com/google/uuid"
)

func main() {
	cfg, err := parseConfig(os.Args[1:], os.Getenv, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	if cfg.makeVAPIDKeys {
		keys, err := webpush.GenerateKeys()
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("HELPDESK_VAPID_PUBLIC_KEY=%s\nHELPDESK_VAPID_PRIVATE_KEY=%s\n", keys.Public, keys.Private)
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// config is what the flags and the environment set; see doc.go for each.
type config struct {
	db, addr, baseURL, files string
	// opsAddr, when set, serves /healthz, /readyz and /metrics on an address of their own,
	// and /metrics no longer on addr.
	opsAddr             string
	logFormat           string
	tenantID            string
	newTenant, newAdmin string

	smtpHost, smtpUser, smtpPassword, smtpFrom, smtpSecurity, smtpHelo string
	smtpPort                                                           int

	// dbMaxConns caps the PostgreSQL connections of this process.
	dbMaxConns int

	twilioAccountSID, twilioAuthToken, twilioAPIKey, twilioAPISecret string
	twilioMessagingService, twilioFrom                               string
	twilioVideo                                                      bool

	// allowPrivate lets webhooks go to loopback and private addresses (an ERP on the
	// company's own network).
	allowPrivate bool

	// From the environment only: secrets that have no place in a process list.
	secretKey                               string
	vapidPublic, vapidPrivate, vapidSubject string

	makeVAPIDKeys bool
	// resealSecrets seals the stored secrets again under the first key, then exits.
	resealSecrets bool
}

// parseConfig reads the flags in args over the environment (getenv): a flag given wins over
// its variable, a variable over the default. -help prints the usage to out and returns
// flag.ErrHelp.
func parseConfig(args []string, getenv func(string) string, out io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("backoffice", flag.ContinueOnError)
	fs.SetOutput(out)
	str := func(p *string, name, env, def, usage string) {
		if v := getenv(env); v != "" {
			def = v
		}
		fs.StringVar(p, name, def, usage+" (env "+env+")")
	}
	str(&c.db, "db", "HELPDESK_DB", "sqlite:helpdesk.db", "database `DSN`: sqlite:FILE or postgres://…")
	maxConns := 20
	if v := getenv("HELPDESK_DB_MAX_CONNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("HELPDESK_DB_MAX_CONNS=%q is not a positive number", v)
		}
		maxConns = n
	}
	fs.IntVar(&c.dbMaxConns, "db-max-conns", maxConns, "most PostgreSQL `connections` this process opens; every instance's together must stay under the server's max_connections (env HELPDESK_DB_MAX_CONNS)")
	str(&c.addr, "addr", "HELPDESK_ADDR", "127.0.0.1:8080", "`address` to serve on")
	str(&c.opsAddr, "ops-addr", "HELPDESK_OPS_ADDR", "", "private `address` for /healthz, /readyz and /metrics, which then leaves -addr (default: all three on -addr)")
	str(&c.baseURL, "base-url", "HELPDESK_BASE_URL", "", "public `URL` of the server, for links (default http://ADDR)")
	str(&c.files, "files", "HELPDESK_FILES", "helpdesk-files", "`folder` for attachments, media and logos")
	str(&c.logFormat, "log-format", "HELPDESK_LOG_FORMAT", "json", "log `format`: json (one object a line) or text")
	str(&c.tenantID, "tenant", "HELPDESK_TENANT", "", "`ID` of the tenant whose people sign in")
	str(&c.newTenant, "new-tenant", "HELPDESK_NEW_TENANT", "", "create a tenant of this `name` (once), with -new-admin")
	str(&c.newAdmin, "new-admin", "HELPDESK_NEW_ADMIN", "", "`e-mail` of the new tenant's admin, who gets an invitation link")
	str(&c.smtpHost, "smtp-host", "HELPDESK_SMTP_HOST", "", "SMTP server `host` for e-mail (none: no e-mail)")
	port := 0
	if v := getenv("HELPDESK_SMTP_PORT"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil {
			return nil, fmt.Errorf("HELPDESK_SMTP_PORT=%q is not a port number", v)
		}
		port = p
	}
	fs.IntVar(&c.smtpPort, "smtp-port", port, "SMTP server `port` (default 587 for starttls, 465 for tls) (env HELPDESK_SMTP_PORT)")
	str(&c.smtpSecurity, "smtp-security", "HELPDESK_SMTP_SECURITY", "starttls", "SMTP connection `security`: starttls, tls or plain")
	str(&c.smtpUser, "smtp-user", "HELPDESK_SMTP_USER", "", "SMTP `user` name")
	str(&c.smtpPassword, "smtp-password", "HELPDESK_SMTP_PASSWORD", "", "SMTP `password` (prefer the environment variable)")
	str(&c.smtpFrom, "smtp-from", "HELPDESK_SMTP_FROM", "", "sender `address` of the e-mails, as \"Support <support@example.com>\"")
	str(&c.smtpHelo, "smtp-helo", "HELPDESK_SMTP_HELO", "", "`name` this instance gives in EHLO, which the mail server logs (default localhost)")
	str(&c.twilioAccountSID, "twilio-account-sid", "TWILIO_ACCOUNT_SID", "", "Twilio account `SID` (AC…) for text messages and video")
	str(&c.twilioAuthToken, "twilio-auth-token", "TWILIO_AUTH_TOKEN", "", "Twilio auth `token`: checks Twilio's status callbacks (prefer the environment variable)")
	str(&c.twilioAPIKey, "twilio-api-key", "TWILIO_API_KEY", "", "Twilio API key `SID` (SK…)")
	str(&c.twilioAPISecret, "twilio-api-secret", "TWILIO_API_SECRET", "", "Twilio API key `secret` (prefer the environment variable)")
	str(&c.twilioMessagingService, "twilio-messaging-service", "TWILIO_MESSAGING_SERVICE_SID", "", "Twilio Messaging Service `SID` (MG…) that sends the text messages")
	str(&c.twilioFrom, "twilio-from", "TWILIO_FROM", "", "sender `number` of the text messages (E.164) instead of a Messaging Service")
	video := getenv("HELPDESK_TWILIO_VIDEO") == "1" || getenv("HELPDESK_TWILIO_VIDEO") == "true"
	fs.BoolVar(&c.twilioVideo, "twilio-video", video, "hold the video sessions on Twilio Video (needs the account SID and API key) (env HELPDESK_TWILIO_VIDEO=1)")
	private := getenv("HELPDESK_ALLOW_PRIVATE_TARGETS") == "1" || getenv("HELPDESK_ALLOW_PRIVATE_TARGETS") == "true"
	fs.BoolVar(&c.allowPrivate, "allow-private-targets", private, "let webhooks (and push endpoints) reach loopback and private addresses, for receivers on your own network (env HELPDESK_ALLOW_PRIVATE_TARGETS=1)")
	fs.BoolVar(&c.makeVAPIDKeys, "make-vapid-keys", false, "print a new VAPID key pair for the environment and exit")
	fs.BoolVar(&c.resealSecrets, "reseal-secrets", false, "seal the stored secrets again under the first key of HELPDESK_SECRET_KEY and exit (a key rotation)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: backoffice [flags]\n\nServes the back office and the public pages of a helpdesk on one address.\n\nFlags (each also read from the environment variable named; a flag given wins):\n")
		fs.PrintDefaults()
		fmt.Fprintf(fs.Output(), "\nFrom the environment only:\n"+
			"  HELPDESK_SECRET_KEY         master key, base64, at least %d bytes (required):\n"+
			"                              head -c 32 /dev/urandom | base64\n"+
			"                              To rotate: NEW,OLD (the first seals), then -reseal-secrets\n"+
			"  HELPDESK_VAPID_PUBLIC_KEY   Web Push key pair (push notifications are off without it):\n"+
			"  HELPDESK_VAPID_PRIVATE_KEY  make one with -make-vapid-keys, once, and keep it\n"+
			"  HELPDESK_VAPID_SUBJECT      contact for the push services (default mailto:postmaster@HOST)\n",
			helpdesk.MinSecretKeyBytes)
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q: see -help", fs.Args())
	}
	c.secretKey = getenv("HELPDESK_SECRET_KEY")
	c.vapidPublic, c.vapidPrivate, c.vapidSubject = getenv("HELPDESK_VAPID_PUBLIC_KEY"), getenv("HELPDESK_VAPID_PRIVATE_KEY"), getenv("HELPDESK_VAPID_SUBJECT")
	return c, nil
}

// run serves the back office and the public pages until ctx ends, with the Desk's background
// work (notifications, timers) running; it prints the URLs to out.
func run(ctx context.Context, c *config, out io.Writer) error {
	var keys [][]byte
	for _, k := range strings.Split(c.secretKey, ",") {
		key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(k))
		if err != nil || len(key) < helpdesk.MinSecretKeyBytes {
			return fmt.Errorf("HELPDESK_SECRET_KEY must hold keys of at least %d bytes, base64-encoded, separated by commas (head -c 32 /dev/urandom | base64)", helpdesk.MinSecretKeyBytes)
		}
		keys = append(keys, key)
	}
	if c.resealSecrets {
		return reseal(ctx, c, keys, out)
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	base := strings.TrimRight(c.baseURL, "/")
	if base == "" {
		base = "http://" + ln.Addr().String()
	}
	logger, err := ops.NewLogger(os.Stderr, c.logFormat, slog.LevelInfo)
	if err != nil {
		return err
	}
	metrics := ops.NewMetrics(nil)
	dc := helpdesk.Config{BaseURL: base, SecretKeys: keys, Logger: logger, AllowPrivateTargets: c.allowPrivate,
		Notifiers: map[notify.Channel]notify.Notifier{}, Observer: metrics}
	if dc.Blobs, err = blob.NewDir(c.files); err != nil {
		return err
	}
	var notes []string
	if err := c.mail(&dc); err != nil {
		return err
	}
	if dc.Notifiers[notify.Email] == nil {
		notes = append(notes, "e-mail is off: give -smtp-host and -smtp-from")
	}
	if err := c.twilio(&dc, base); err != nil {
		return err
	}
	if dc.Notifiers[notify.SMS] == nil {
		notes = append(notes, "text messages are off: give the Twilio account and a messaging service or sender")
	}
	if dc.Video == nil {
		notes = append(notes, "video calls are off: give -twilio-video with the Twilio account and API key")
	}
	push, err := c.push(base)
	if err != nil {
		return err
	}
	if push != nil {
		dc.Notifiers[notify.Push] = push
	} else {
		notes = append(notes, "push notifications are off: set HELPDESK_VAPID_PUBLIC_KEY and HELPDESK_VAPID_PRIVATE_KEY\n"+
			"    (make a pair once with: go run ./examples/backoffice -make-vapid-keys)")
	}

	store, err := bunstore.Open(ctx, c.db)
	if err != nil {
		return err
	}
	defer store.Close()
	if strings.HasPrefix(c.db, "postgres") && c.dbMaxConns > 0 {
		// Unbounded, every request waiting for the database holds a connection of its own:
		// when PostgreSQL comes back from a restart, the retries of all clients at once then
		// exhaust its max_connections. Bounded, they queue here instead; as many stay idle,
		// so that busy hours do not reconnect all the time.
		store.DB().SetMaxOpenConns(c.dbMaxConns)
		store.DB().SetMaxIdleConns(c.dbMaxConns)
	}
	if err := migrate(ctx, store, logger); err != nil {
		return err
	}
	desk, err := helpdesk.New(store, &dc)
	if err != nil {
		return err
	}
	metrics.ReadBacklog(desk)
	tid, invitation, err := c.tenant(ctx, desk)
	if err != nil {
		return err
	}
	h, err := handler(desk, tid, logger, &dc, c.twilioAuthToken, metrics, c.opsAddr == "")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	servers := []*http.Server{srv}
	opsBase := base
	if c.opsAddr != "" {
		opsLn, err := net.Listen("tcp", c.opsAddr)
		if err != nil {
			return fmt.Errorf("-ops-addr: %w", err)
		}
		defer opsLn.Close()
		opsBase = "http://" + opsLn.Addr().String()
		mux := http.NewServeMux()
		ops.Mount(mux, desk, metrics)
		opsSrv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		servers = append(servers, opsSrv)
		go func() {
			if err := opsSrv.Serve(opsLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				logger.Error("operations address", "err", err)
			}
		}()
	}
	work := make(chan error, 1)
	go func() { work <- desk.Run(ctx) }()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for _, s := range servers {
			_ = s.Shutdown(sctx)
		}
	}()

	fmt.Fprintf(out, "helpdesk on %s\n\n", base)
	fmt.Fprintf(out, "  back office:   %s/login\n", base)
	fmt.Fprintf(out, "  public pages:  %s/c/CODE (each device's code; requester and session links)\n", base)
	fmt.Fprintf(out, "  tenant:        %s (-tenant %s next time)\n", tid, tid)
	fmt.Fprintf(out, "  operations:    %s/healthz, %s/readyz, %s/metrics (Prometheus)\n", opsBase, opsBase, opsBase)
	if invitation != "" {
		fmt.Fprintf(out, "  the admin's invitation, to choose a password: %s\n", invitation)
	}
	for _, n := range notes {
		fmt.Fprintf(out, "  note: %s\n", n)
	}
	fmt.Fprintln(out)
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	if err := <-work; err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("background work: %w", err)
	}
	return nil
}

// reseal seals the database's secrets again under the first of keys (Desk.ResealSecrets),
// and says how many it changed.
func reseal(ctx context.Context, c *config, keys [][]byte, out io.Writer) error {
	store, err := bunstore.Open(ctx, c.db)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.MigrateUp(ctx); err != nil {
		return err
	}
	desk, err := helpdesk.New(store, &helpdesk.Config{SecretKeys: keys, BaseURL: c.baseURL})
	if err != nil {
		return err
	}
	done, err := desk.ResealSecrets(ctx, tenant.System())
	fmt.Fprintf(out, "%d secrets of %d tenants sealed again under the first key\n", done.Secrets, done.Tenants)
	return err
}

// migrate applies the pending migrations, waiting while another instance holds the
// migration lock (instances of a new release starting together), for a minute at most.
func migrate(ctx context.Context, store *bunstore.Store, logger *slog.Logger) error {
	wait := 250 * time.Millisecond
	deadline := time.Now().Add(time.Minute)
	for {
		err := store.MigrateUp(ctx)
		if err == nil || !strings.Contains(err.Error(), "locked") || time.Now().After(deadline) {
			return err
		}
		logger.Warn("another instance is migrating the database: waiting", "err", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// mail sets the Desk's e-mail: a Mailer for the SMTP server, and the same settings' defaults
// for tenants that give a mail server of their own.
func (c *config) mail(dc *helpdesk.Config) error {
	dc.TenantMailer = smtpmail.Factory(smtpmail.Config{})
	if c.smtpHost == "" {
		return nil
	}
	m, err := smtpmail.New(smtpmail.Config{Host: c.smtpHost, Port: c.smtpPort, Security: smtpmail.Security(c.smtpSecurity),
		Username: c.smtpUser, Password: c.smtpPassword, From: c.smtpFrom, HeloName: c.smtpHelo})
	if err != nil {
		return fmt.Errorf("SMTP settings: %w", err)
	}
	dc.Notifiers[notify.Email] = m
	return nil
}

// twilio sets the Desk's text messages and video calls on Twilio, when configured.
func (c *config) twilio(dc *helpdesk.Config, base string) error {
	if c.twilioAccountSID == "" {
		return nil
	}
	if c.twilioFrom != "" || c.twilioMessagingService != "" {
		sc := twiliosms.Config{AccountSID: c.twilioAccountSID, AuthToken: c.twilioAuthToken, APIKey: c.twilioAPIKey,
			APISecret: c.twilioAPISecret, From: c.twilioFrom, MessagingServiceSID: c.twilioMessagingService}
		if c.twilioAuthToken != "" {
			sc.StatusCallbackURL = base + smsCallback
		}
		s, err := twiliosms.New(sc)
		if err != nil {
			return fmt.Errorf("twilio text messages: %w", err)
		}
		dc.Notifiers[notify.SMS] = s
	}
	if c.twilioVideo {
		vc := twiliovideo.Config{AccountSID: c.twilioAccountSID, APIKeySID: c.twilioAPIKey, APIKeySecret: c.twilioAPISecret,
			AuthToken: c.twilioAuthToken}
		if c.twilioAuthToken != "" {
			vc.StatusCallback = base + videoCallback
		}
		p, err := twiliovideo.New(vc)
		if err != nil {
			return fmt.Errorf("twilio video: %w", err)
		}
		dc.Video = p
	}
	return nil
}

// push returns the Web Push sender for the VAPID keys, or nil without them.
func (c *config) push(base string) (*webpush.Sender, error) {
	if c.vapidPublic == "" && c.vapidPrivate == "" {
		return nil, nil
	}
	subject := c.vapidSubject
	if subject == "" {
		host := "localhost"
		if i := strings.Index(base, "://"); i >= 0 {
			host, _, _ = strings.Cut(base[i+3:], "/")
			if h, _, err := net.SplitHostPort(host); err == nil {
				host = h
			}
		}
		subject = "mailto:postmaster@" + host
	}
	s, err := webpush.New(webpush.Config{VAPIDPublicKey: c.vapidPublic, VAPIDPrivateKey: c.vapidPrivate, Subscriber: subject})
	if err != nil {
		return nil, fmt.Errorf("HELPDESK_VAPID_*: %w", err)
	}
	return s, nil
}

// tenant returns the tenant whose people sign in: -tenant's, or the one -new-tenant creates
// with its admin, whose invitation link it returns too.
func (c *config) tenant(ctx context.Context, desk *helpdesk.Desk) (uuid.UUID, string, error) {
	switch {
	case c.newTenant != "" && c.tenantID != "":
		return uuid.Nil, "", errors.New("give -tenant or -new-tenant, not both")
	case c.newTenant != "":
		if c.newAdmin == "" {
			return uuid.Nil, "", errors.New("-new-tenant needs -new-admin, the e-mail address of its admin")
		}
		ten, err := desk.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: c.newTenant})
		if err != nil {
			return uuid.Nil, "", fmt.Errorf("create the tenant: %w", err)
		}
		_, link, err := desk.CreateUser(ctx, tenant.SystemFor(ten.ID), helpdesk.NewUser{Email: c.newAdmin, Name: c.newAdmin, Role: tenant.RoleAdmin})
		if err != nil {
			return uuid.Nil, "", fmt.Errorf("create the admin: %w", err)
		}
		return ten.ID, link.URL, nil
	case c.tenantID == "":
		return uuid.Nil, "", errors.New("give -tenant ID, or -new-tenant NAME -new-admin EMAIL the first time")
	}
	id, err := uuid.Parse(c.tenantID)
	if err != nil {
		return uuid.Nil, "", fmt.Errorf("-tenant %q is not a tenant ID", c.tenantID)
	}
	return id, "", nil
}

// The paths of Twilio's status callbacks.
const (
	smsCallback   = "/twilio/sms-status"
	videoCallback = "/twilio/video-status"
)

// publicPrefixes are the paths of the public pages (web/public's routes); everything else is
// the back office's.
var publicPrefixes = []string{"/c/", "/request-links/", "/requests/", "/sessions/"}

// handler serves the back office, the public pages and the JSON API (under /api/v1) on one
// address, Twilio's status callbacks when the auth token is there to check them, and the
// operator's /healthz, /readyz and, with withMetrics, /metrics; every request is traced
// (web.Trace): a request ID, one log line, its latency by route.
func handler(desk *helpdesk.Desk, tid uuid.UUID, logger *slog.Logger, dc *helpdesk.Config, twilioAuthToken string, metrics *ops.Metrics,
	withMetrics bool) (http.Handler, error) {
	bo, err := backoffice.New(desk, &backoffice.Config{Tenant: backoffice.SingleTenant(tid), Logger: logger})
	if err != nil {
		return nil, err
	}
	pub, err := public.New(desk, &public.Config{Logger: logger})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	for _, p := range publicPrefixes {
		mux.Handle(p, pub)
	}
	// The Video Sessions list, beside the public session links under /sessions/.
	mux.Handle("/sessions", bo)
	mux.Handle("/", bo)
	apiHandler, err := api.New(desk, &api.Config{Logger: logger})
	if err != nil {
		return nil, err
	}
	mux.Handle(api.Prefix+"/", apiHandler)
	if twilioAuthToken != "" && dc.Notifiers[notify.SMS] != nil {
		mux.Handle("POST "+smsCallback, twiliosms.StatusHandler(twilioAuthToken, dc.BaseURL+smsCallback, desk))
	}
	if twilioAuthToken != "" && dc.Video != nil {
		mux.Handle("POST "+videoCallback, twiliovideo.StatusHandler(twilioAuthToken, dc.BaseURL+videoCallback, desk))
	}
	served := metrics
	if !withMetrics {
		served = nil
	}
	ops.Mount(mux, desk, served)
	return web.Trace(logger, mux, metrics.ObserveRequest), nil
}
