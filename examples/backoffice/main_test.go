package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServes builds the command, starts it on a free port against a new SQLite file with a
// new tenant, and finds the back office's sign-in, the service worker and a public page's
// "not found" answering where it printed.
func TestServes(t *testing.T) {
	base, all, stderr := start(t)
	assert.Contains(t, all, "the admin's invitation, to choose a password: "+base+"/invitation/")
	assert.Contains(t, all, "-make-vapid-keys", "says how to make the VAPID keys")

	get := func(path string) (int, string) {
		res, err := http.Get(base + path)
		require.NoError(t, err)
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	status, body := get("/login")
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `action="/login"`)
	status, _ = get("/sw.js")
	assert.Equal(t, http.StatusOK, status)
	status, body = get("/c/not-a-code")
	assert.Equal(t, http.StatusNotFound, status, "the public pages answer their paths")
	assert.NotContains(t, body, `action="/login"`)

	// The operator's routes, and the request log: one JSON line per request, with its ID.
	status, body = get("/healthz")
	assert.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"status":"ok"}`, body)
	status, body = get("/readyz")
	assert.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"status":"ready"}`, body)
	req, err := http.NewRequest(http.MethodGet, base+"/login", nil)
	require.NoError(t, err)
	req.Header.Set("X-Request-ID", "walkthrough-1")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = res.Body.Close()
	assert.Equal(t, "walkthrough-1", res.Header.Get("X-Request-ID"))
	status, body = get("/metrics")
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `helpdesk_http_request_duration_seconds_count{code="200",method="GET",route="GET /login"} 2`)
	assert.Contains(t, body, `helpdesk_http_request_duration_seconds_count{code="404",method="GET",route="GET /c/{token}"} 1`)
	assert.Contains(t, body, "helpdesk_backlog_up 1")
	assert.NotContains(t, body, "not-a-code", "paths never become labels")
	var logged map[string]any
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(line, `"walkthrough-1"`) {
			require.NoError(t, json.Unmarshal([]byte(line), &logged), line)
		}
	}
	require.NotNil(t, logged, "the request is logged with its ID:\n%s", stderr.String())
	assert.Equal(t, "GET /login", logged["route"])
	assert.EqualValues(t, http.StatusOK, logged["status"])
}

// start builds the command, runs it on a new SQLite database with a new tenant and args, and
// returns the back office's base URL, what it printed until it served, and its stderr. The
// command is interrupted, and must stop cleanly, in the test's cleanup.
func start(t *testing.T, args ...string) (base, printed string, stderr *lockedBuffer) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the command")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "backoffice")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())

	cmd := exec.Command(bin, append([]string{"-db", "sqlite:" + filepath.Join(dir, "desk.db"), "-addr", "127.0.0.1:0",
		"-files", filepath.Join(dir, "files"), "-new-tenant", "Acme Service", "-new-admin", "ada@acme.example"}, args...)...)
	cmd.Env = append(os.Environ(), "HELPDESK_SECRET_KEY=dGhlIGV4YW1wbGUncyB0ZXN0IGtleSwgMzIgYnl0ZXMgKys=",
		"HELPDESK_SMTP_HOST=", "TWILIO_ACCOUNT_SID=", "HELPDESK_VAPID_PUBLIC_KEY=", "HELPDESK_VAPID_PRIVATE_KEY=", "HELPDESK_TENANT=")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	stderr = &lockedBuffer{}
	cmd.Stderr = stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			assert.NoError(t, err, "stops cleanly on an interrupt\n%s", stderr.String())
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			t.Error("did not stop within 10 s of an interrupt")
		}
	})

	out := make(chan string)
	go func() {
		s := bufio.NewScanner(stdout)
		for s.Scan() {
			out <- s.Text()
		}
		close(out)
	}()
	var lines []string
	login := regexp.MustCompile(`back office:\s+(http://127\.0\.0\.1:\d+)/login`)
	deadline := time.After(60 * time.Second)
	for base == "" || !strings.Contains(strings.Join(lines, "\n"), "-make-vapid-keys") {
		select {
		case l, ok := <-out:
			require.True(t, ok, "the command ended early:\n%s\n%s", strings.Join(lines, "\n"), stderr.String())
			lines = append(lines, l)
			if m := login.FindStringSubmatch(l); m != nil {
				base = m[1]
			}
		case <-deadline:
			t.Fatalf("no URL printed within a minute:\n%s\n%s", strings.Join(lines, "\n"), stderr.String())
		}
	}
	go func() {
		for range out {
		}
	}()
	return base, strings.Join(lines, "\n"), stderr
}

// TestOpsAddress: with -ops-addr, /healthz, /readyz and /metrics answer there, and /metrics no
// longer on -addr, where the health checks stay for the load balancer.
func TestOpsAddress(t *testing.T) {
	base, printed, _ := start(t, "-ops-addr", "127.0.0.1:0")
	m := regexp.MustCompile(`operations:\s+(http://127\.0\.0\.1:\d+)/healthz`).FindStringSubmatch(printed)
	require.NotNil(t, m, printed)
	opsBase := m[1]
	require.NotEqual(t, base, opsBase)
	status := func(url string) int {
		res, err := http.Get(url)
		require.NoError(t, err)
		_ = res.Body.Close()
		return res.StatusCode
	}
	assert.Equal(t, http.StatusOK, status(base+"/login"))
	assert.Equal(t, http.StatusNotFound, status(base+"/metrics"), "no metrics on the public address")
	assert.Equal(t, http.StatusOK, status(base+"/readyz"), "the load balancer's check stays")
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		assert.Equal(t, http.StatusOK, status(opsBase+path), path)
	}
	assert.Equal(t, http.StatusNotFound, status(opsBase+"/login"), "nothing else on the operations address")
}

// lockedBuffer is a bytes.Buffer that a process writes while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestFlagsOverEnvironment: a variable sets what its flag would, and a flag given wins.
func TestFlagsOverEnvironment(t *testing.T) {
	env := map[string]string{"HELPDESK_DB": "postgres://env", "HELPDESK_ADDR": "0.0.0.0:9000", "HELPDESK_SMTP_PORT": "2525",
		"HELPDESK_SMTP_HOST": "smtp.env.example", "TWILIO_ACCOUNT_SID": "ACenv", "HELPDESK_TWILIO_VIDEO": "1",
		"HELPDESK_ALLOW_PRIVATE_TARGETS": "1", "HELPDESK_SECRET_KEY": "key", "HELPDESK_VAPID_PUBLIC_KEY": "pub",
		"HELPDESK_SMTP_HELO": "web-2.example", "HELPDESK_DB_MAX_CONNS": "30"}
	var help bytes.Buffer
	c, err := parseConfig([]string{"-db", "sqlite:flag.db", "-smtp-port", "587"}, func(k string) string { return env[k] }, &help)
	require.NoError(t, err)
	assert.Equal(t, "sqlite:flag.db", c.db, "the flag wins")
	assert.Equal(t, 587, c.smtpPort, "the flag wins")
	assert.Equal(t, "0.0.0.0:9000", c.addr, "the variable over the default")
	assert.Equal(t, "smtp.env.example", c.smtpHost)
	assert.Equal(t, "web-2.example", c.smtpHelo)
	assert.Equal(t, 30, c.dbMaxConns)
	assert.Equal(t, "ACenv", c.twilioAccountSID)
	assert.True(t, c.twilioVideo)
	assert.True(t, c.allowPrivate)
	assert.Equal(t, "key", c.secretKey)
	assert.Equal(t, "pub", c.vapidPublic)

	c, err = parseConfig(nil, func(string) string { return "" }, &help)
	require.NoError(t, err)
	assert.Equal(t, "sqlite:helpdesk.db", c.db)
	assert.Equal(t, "127.0.0.1:8080", c.addr)
	assert.False(t, c.allowPrivate, "private targets are refused unless asked for")
	assert.Equal(t, 20, c.dbMaxConns)

	_, err = parseConfig([]string{"-help"}, func(string) string { return "" }, &help)
	require.Error(t, err)
	for _, s := range []string{"HELPDESK_DB", "HELPDESK_SMTP_PASSWORD", "TWILIO_API_SECRET", "TWILIO_MESSAGING_SERVICE_SID",
		"HELPDESK_SECRET_KEY", "HELPDESK_VAPID_PRIVATE_KEY", "-make-vapid-keys", "-twilio-video"} {
		assert.Contains(t, help.String(), s)
	}
}
