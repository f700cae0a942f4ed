package main

import (
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/web"
	"github.com/deskkit/helpdesk/web/ops"
	"github.com/deskkit/helpdesk/web/public"
)

func main() {
	dsn := flag.String("db", "sqlite:helpdesk.db", "database `DSN`: sqlite:FILE or postgres://…")
	addr := flag.String("addr", "127.0.0.1:8080", "`address` to serve on")
	baseURL := flag.String("base-url", "", "public `URL` of the server, for links (default http://ADDR)")
	logFormat := flag.String("log-format", "json", "log `format`: json (one object a line) or text")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *dsn, *addr, *baseURL, *logFormat); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, dsn, addr, baseURL, logFormat string) error {
	logger, err := ops.NewLogger(os.Stderr, logFormat, slog.LevelInfo)
	if err != nil {
		return err
	}
	key, err := base64.StdEncoding.DecodeString(os.Getenv("HELPDESK_SECRET_KEY"))
	if err != nil || len(key) < helpdesk.MinSecretKeyBytes {
		return fmt.Errorf("HELPDESK_SECRET_KEY must hold at least %d bytes, base64-encoded", helpdesk.MinSecretKeyBytes)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	if baseURL == "" {
		baseURL = "http://" + ln.Addr().String()
	}
	store, err := bunstore.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.MigrateUp(ctx); err != nil {
		return err
	}
	metrics := ops.NewMetrics(nil)
	desk, err := helpdesk.New(store, &helpdesk.Config{BaseURL: baseURL, SecretKeys: [][]byte{key}, Logger: logger, Observer: metrics})
	if err != nil {
		return err
	}
	metrics.ReadBacklog(desk)
	pub, err := public.New(desk, &public.Config{Logger: logger})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	ops.Mount(mux, desk, metrics)
	mux.Handle("/", pub)
	srv := &http.Server{Handler: web.Trace(logger, mux, metrics.ObserveRequest), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := desk.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			logger.Error("background work stopped", "err", err)
		}
	}()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	fmt.Printf("public pages on %s (operations: /healthz, /readyz, /metrics)\n", baseURL)
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
