// Command seed fills a PostgreSQL database with a helpdesk at scale for the benchmarks of
// BENCHMARKS.md: by default 1,000 tenants, 1,000,000 tickets and about 3,000,000 messages in
// the database helpdesk_scale (created when missing), then VACUUM ANALYZE. A rerun skips the
// tenants a previous run finished, so an interrupted seeding continues where it stopped. See
// package internal/scaleseed for the shape of the data.
//
//	go run ./internal/cmd/seed [-dsn DSN] [-tenants 1000] [-tickets 1000000] [-workers 2]
//
// The DSN defaults to $HELPDESK_SCALE_POSTGRES, then to
// postgres://postgres@127.0.0.1:5432/helpdesk_scale?sslmode=disable.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/deskkit/helpdesk/internal/scaleseed"
)

func main() {
	dsn := os.Getenv("HELPDESK_SCALE_POSTGRES")
	if dsn == "" {
		dsn = scaleseed.DefaultDSN
	}
	cfg := scaleseed.Config{Log: os.Stdout}
	flag.StringVar(&cfg.DSN, "dsn", dsn, "PostgreSQL database to fill (created when missing)")
	flag.IntVar(&cfg.Tenants, "tenants", 1000, "tenants")
	flag.IntVar(&cfg.Tickets, "tickets", 1000000, "tickets across all tenants")
	flag.IntVar(&cfg.Workers, "workers", 2, "tenants seeded at once")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep, err := scaleseed.Seed(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		if rep != nil {
			fmt.Fprintf(os.Stderr, "seed: %d tenants seeded before stopping; run again to continue\n", rep.Seeded)
		}
		os.Exit(1)
	}
	fmt.Printf("seeded %d tenants (%d already done), %d rows; took %s (VACUUM ANALYZE %s)\n",
		rep.Seeded, rep.Skipped, rep.Rows, rep.Took.Round(1e9), rep.Analyze.Round(1e9))
	if err := scaleseed.Check(ctx, cfg.DSN, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "seed: the Desk does not read the seeded data:", err)
		os.Exit(1)
	}
}
