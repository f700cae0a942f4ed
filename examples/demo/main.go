package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/blob"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/video"
	"github.com/deskkit/helpdesk/video/videotest"
	"github.com/deskkit/helpdesk/web/public"
)

func main() {
	db := flag.String("db", "helpdesk-demo.db", "SQLite database `file` (created and seeded when missing)")
	addr := flag.String("addr", "127.0.0.1:8080", "`address` to serve on")
	baseURL := flag.String("base-url", "", "public `URL` of the server, for links (default http://ADDR)")
	quiet := flag.Bool("quiet", false, "do not log requests")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *db, *addr, *baseURL, *quiet); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, dbPath, addr, baseURL string, quiet bool) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	if baseURL == "" {
		baseURL = "http://" + ln.Addr().String()
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
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	box := &mailbox{}
	calls := videotest.NewFake()
	desk, err := helpdesk.New(store, &helpdesk.Config{
		BaseURL:    baseURL,
		SecretKeys: [][]byte{key},
		Notifiers:  map[notify.Channel]notify.Notifier{notify.Email: box, notify.SMS: box},
		Video:      calls,
		Blobs:      files,
		Logger:     logger,
	})
	if err != nil {
		return err
	}
	worldPath := dbPath + ".json"
	var w *world
	if fresh {
		if w, err = seed(ctx, desk); err != nil {
			return fmt.Errorf("seed the demo: %w", err)
		}
		if err := w.save(worldPath); err != nil {
			return err
		}
	} else if w, err = loadWorld(worldPath); err != nil {
		return fmt.Errorf("%s exists but %s cannot be read (%v): delete both to start afresh", dbPath, worldPath, err)
	}

	accessLog := logger
	if !quiet {
		accessLog = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	pub, err := public.New(desk, &public.Config{
		Logger: accessLog,
		Joined: func(ctx context.Context, room, identity string) error {
			return desk.HandleRoomEvent(ctx, video.Event{Kind: video.ParticipantJoined, Room: room, Participant: identity})
		},
		EndCall: func(ctx context.Context, room string) error {
			if err := calls.EndRoom(ctx, room); err != nil {
				return err
			}
			return desk.HandleRoomEvent(ctx, video.Event{Kind: video.RoomEnded, Room: room})
		},
	})
	if err != nil {
		return err
	}
	console, err := newConsole(desk, w, box, baseURL, accessLog)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/demo/", console)
	mux.Handle("GET /{$}", http.RedirectHandler("/demo/", http.StatusFound))
	mux.Handle("/", pub)

	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
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

	fmt.Printf("helpdesk demo on %s (data in %s)\n\n", baseURL, dbPath)
	fmt.Printf("  demo start page:   %s/demo/\n", baseURL)
	fmt.Printf("  a device's page:   %s\n", desk.CodeURL(w.Codes[0].Token))
	fmt.Printf("  mailbox:           %s/demo/mailbox\n\n", baseURL)
	if qr, err := terminalQR(desk.CodeURL(w.Codes[0].Token)); err == nil {
		fmt.Printf("The device page's QR code (%s answers phones on this machine only; see -addr):\n\n%s\n", baseURL, qr)
	}
	fmt.Println("Press Ctrl-C to stop.")
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Println("\nstopped")
	return nil
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
