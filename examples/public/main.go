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
	"github.com/deskkit/helpdesk/web/public"
)

func main() {
	dsn := flag.String("db", "sqlite:helpdesk.db", "database `DSN`: sqlite:FILE or postgres://…")
	addr := flag.String("addr", "127.0.0.1:8080", "`address` to serve on")
	baseURL := flag.String("base-url", "", "public `URL` of the server, for links (default http://ADDR)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *dsn, *addr, *baseURL); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, dsn, addr, baseURL string) error {
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
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	desk, err := helpdesk.New(store, &helpdesk.Config{BaseURL: baseURL, SecretKeys: [][]byte{key}, Logger: logger})
	if err != nil {
		return err
	}
	h, err := public.New(desk, &public.Config{Logger: logger})
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
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
	fmt.Printf("public pages on %s\n", baseURL)
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
