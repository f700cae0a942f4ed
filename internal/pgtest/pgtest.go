package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/uptrace/bun/driver/pgdriver"
)

// EnvDSN and EnvRequire name the environment variables this package reads.
const (
	EnvDSN     = "HELPDESK_TEST_POSTGRES"
	EnvRequire = "HELPDESK_REQUIRE_POSTGRES"
)

// DSN returns the server's DSN, skipping the test when none is configured (or failing it when
// EnvRequire is "1").
func DSN(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv(EnvDSN)
	if dsn == "" {
		if os.Getenv(EnvRequire) == "1" {
			tb.Fatalf("%s=1 but %s is not set", EnvRequire, EnvDSN)
		}
		tb.Skipf("PostgreSQL tests skipped: set %s to a DSN such as postgres://postgres@127.0.0.1:5432/test?sslmode=disable", EnvDSN)
	}
	return dsn
}

// Schema creates a schema of its own for the test and returns a DSN whose search_path is that
// schema and whose lock_timeout stops a stuck lock from hanging the run. The schema is dropped
// in the test's cleanup.
func Schema(tb testing.TB) string {
	tb.Helper()
	base := DSN(tb)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(base)))
	if err := admin.PingContext(ctx); err != nil {
		_ = admin.Close()
		tb.Fatalf("PostgreSQL at %s=%q is unreachable: %v", EnvDSN, base, err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "helpdesk_test_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		_ = admin.Close()
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
		_ = admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("parse %s: %v", EnvDSN, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	if q.Get("lock_timeout") == "" {
		q.Set("lock_timeout", "10s")
	}
	u.RawQuery = q.Encode()
	return u.String()
}
