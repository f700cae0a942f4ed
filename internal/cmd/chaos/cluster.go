package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// instanceConfig is what every instance of the example server gets.
type instanceConfig struct {
	bin, dsn, tenant, secretKey, files, logDir string
	smtpPort                                   int
	// restartDelay is how long the supervisor waits before starting an instance whose
	// process ended (as systemd's RestartSec).
	restartDelay time.Duration
}

// instance is one example server on a fixed address, kept running by its supervisor as a
// service manager would: whenever its process ends (killed, or failed to start while the
// database was down) it is started again, with no one looking at why.
type instance struct {
	n    int
	addr string
	cfg  *instanceConfig

	mu      sync.Mutex
	cmd     *exec.Cmd
	run     string // the current process's EHLO name
	runs    int
	exits   int // processes that ended on their own (not killed by the chaos run)
	killing bool
}

// freeAddr returns a loopback address with a free port.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// supervise keeps the instance running until ctx ends, then stops it with SIGTERM.
func (in *instance) supervise(ctx context.Context) {
	for ctx.Err() == nil {
		cmd, err := in.start()
		if err != nil {
			fmt.Fprintf(os.Stderr, "chaos: start instance %d: %v\n", in.n, err)
		} else {
			done := make(chan struct{})
			go func() {
				select {
				case <-ctx.Done():
					_ = cmd.Process.Signal(syscall.SIGTERM)
				case <-done:
				}
			}()
			_ = cmd.Wait()
			close(done)
			in.mu.Lock()
			if !in.killing && ctx.Err() == nil {
				in.exits++
			}
			in.killing = false
			in.cmd = nil
			in.mu.Unlock()
		}
		select {
		case <-ctx.Done():
		case <-time.After(in.cfg.restartDelay):
		}
	}
}

// start starts a new process of the instance, its output appended to its log file.
func (in *instance) start() (*exec.Cmd, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.runs++
	in.run = fmt.Sprintf("i%d-r%d.chaos", in.n, in.runs)
	c := in.cfg
	log, err := os.OpenFile(filepath.Join(c.logDir, fmt.Sprintf("instance-%d.log", in.n)), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer log.Close()
	fmt.Fprintf(log, "\n=== chaos: run %s at %s\n", in.run, time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(c.bin, "-db", c.dsn, "-addr", in.addr, "-tenant", c.tenant, "-files", c.files,
		"-smtp-host", "127.0.0.1", "-smtp-port", strconv.Itoa(c.smtpPort), "-smtp-security", "plain",
		"-smtp-from", "Chaos Desk <desk@chaos.example>", "-smtp-helo", in.run)
	cmd.Env = append(os.Environ(), "HELPDESK_SECRET_KEY="+c.secretKey)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	in.cmd = cmd
	return cmd, nil
}

// kill sends SIGKILL to the running process and returns its run's name, or false when no
// process runs (it is between a death and its restart).
func (in *instance) kill() (string, bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.cmd == nil || in.killing {
		return "", false
	}
	in.killing = true
	_ = in.cmd.Process.Kill()
	return in.run, true
}

// current returns the running process's run name.
func (in *instance) current() string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.run
}

// serves reports whether the instance answers a page over HTTP.
func serves(ctx context.Context, client *http.Client, addr string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/api/v1/openapi.json", nil)
	if err != nil {
		return false
	}
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// waitServing polls addr until it serves a run other than after (a restarted process), or
// bound passes; it returns how long that took.
func (in *instance) waitServing(ctx context.Context, client *http.Client, after string, bound time.Duration) (time.Duration, error) {
	start := time.Now()
	deadline := start.Add(bound)
	for {
		if in.current() != after && serves(ctx, client, in.addr) {
			return time.Since(start), nil
		}
		if time.Now().After(deadline) {
			return time.Since(start), errors.New("not serving")
		}
		select {
		case <-ctx.Done():
			return time.Since(start), ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
