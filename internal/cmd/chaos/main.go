package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/uptrace/bun/driver/pgdriver"
)

// defaultRestart restarts the local PostgreSQL cluster.
const defaultRestart = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main restart"

// options are the flags.
type options struct {
	dsn, bin, restart                 string
	instances, kills, dbRestarts      int
	tickets, expireEvery              int
	duration, interval                time.Duration
	offerTimeout, expiration          time.Duration
	recoveryBound, drainBound, giveUp time.Duration
	keep                              bool
}

func main() {
	o, err := parseOptions(os.Args[1:], os.Getenv, os.Stderr)
	if err != nil {
		if err == flag.ErrHelp {
			return
		}
		fmt.Fprintln(os.Stderr, "chaos:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	violations, err := run(ctx, o, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		os.Exit(1)
	}
	if violations > 0 {
		fmt.Fprintf(os.Stderr, "chaos: %d violated checks\n", violations)
		os.Exit(1)
	}
}

func parseOptions(args []string, getenv func(string) string, out io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("chaos", flag.ContinueOnError)
	fs.SetOutput(out)
	dsn := getenv("HELPDESK_TEST_POSTGRES")
	if dsn == "" {
		dsn = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	fs.StringVar(&o.dsn, "dsn", dsn, "PostgreSQL `server` (its database is not used: the run creates its own and drops it) (default $HELPDESK_TEST_POSTGRES)")
	fs.StringVar(&o.bin, "bin", "", "the example server `binary` (default: go build ./examples/backoffice into a temporary folder)")
	fs.StringVar(&o.restart, "db-restart-command", defaultRestart, "shell `command` that restarts PostgreSQL")
	fs.IntVar(&o.instances, "instances", 3, "instances of the example server on the database")
	fs.IntVar(&o.kills, "kills", 20, "SIGKILLs of a random instance, spread over -duration")
	fs.IntVar(&o.dbRestarts, "db-restarts", 2, "restarts of PostgreSQL, spread over -duration")
	fs.DurationVar(&o.duration, "duration", 4*time.Minute, "how long the loader submits and the faults come")
	fs.IntVar(&o.tickets, "tickets", 0, "stop submitting after this many tickets (0: submit for -duration)")
	fs.DurationVar(&o.interval, "interval", 200*time.Millisecond, "time between two submissions")
	fs.IntVar(&o.expireEvery, "expire-every", 3, "every n-th ticket is accepted and made to wait, for its max expiration")
	fs.DurationVar(&o.offerTimeout, "offer-timeout", 3*time.Second, "the tenant's offer timeout")
	fs.DurationVar(&o.expiration, "expiration", 5*time.Second, "the tenant's max expiration")
	fs.DurationVar(&o.recoveryBound, "recovery-bound", 30*time.Second, "how soon a killed instance must serve again")
	fs.DurationVar(&o.drainBound, "drain-bound", 3*time.Minute, "how soon after the faults the outbox and the timers must be done")
	fs.DurationVar(&o.giveUp, "give-up", 3*time.Minute, "how long the loader retries one request")
	fs.BoolVar(&o.keep, "keep", false, "keep the database and the instances' logs")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: go run ./internal/cmd/chaos [flags]\n\n"+
			"Runs instances of examples/backoffice on a new PostgreSQL database while a loader submits\n"+
			"tickets, kills instances and restarts PostgreSQL, then checks that nothing was lost.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	switch {
	case fs.NArg() > 0:
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	case o.instances < 1:
		return nil, fmt.Errorf("-instances %d: at least one", o.instances)
	case o.kills < 0 || o.dbRestarts < 0 || o.tickets < 0:
		return nil, fmt.Errorf("-kills, -db-restarts and -tickets may not be negative")
	case o.duration <= 0 || o.interval <= 0:
		return nil, fmt.Errorf("-duration and -interval must be positive")
	}
	return o, nil
}

// fault is one planned fault: a kill, or a database restart.
type fault struct {
	at        time.Duration
	dbRestart bool
}

// schedule spreads kills and restarts evenly over d, the restarts among the kills.
func schedule(kills, restarts int, d time.Duration) []fault {
	n := kills + restarts
	fs := make([]fault, n)
	for i := range fs {
		fs[i].at = d * time.Duration(i+1) / time.Duration(n+1)
	}
	for j := range restarts {
		fs[(j+1)*n/(restarts+1)].dbRestart = true
	}
	return fs
}

// run does the whole chaos run and prints its summary to out; it returns how many checks
// were violated.
func run(ctx context.Context, o *options, out io.Writer) (int, error) {
	dir, err := os.MkdirTemp("", "helpdesk-chaos-")
	if err != nil {
		return 0, err
	}
	keepDir := o.keep
	defer func() {
		if keepDir {
			fmt.Fprintf(out, "logs kept in %s\n", dir)
		} else {
			os.RemoveAll(dir)
		}
	}()
	bin := o.bin
	if bin == "" {
		bin = filepath.Join(dir, "backoffice")
		build := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/deskkit/helpdesk/examples/backoffice")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return 0, fmt.Errorf("build examples/backoffice: %w", err)
		}
	}

	setupCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	db, err := createDatabase(setupCtx, o.dsn)
	if err != nil {
		return 0, err
	}
	defer func() {
		if o.keep {
			fmt.Fprintf(out, "database %s kept\n", db.name)
			return
		}
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*time.Minute)
		defer cancel()
		if err := waitDB(dctx, db.server); err == nil {
			if err := db.drop(dctx); err != nil {
				fmt.Fprintln(os.Stderr, "chaos:", err)
			}
		}
	}()
	w, err := setUp(setupCtx, db.dsn, o.offerTimeout, o.expiration)
	if err != nil {
		return 0, fmt.Errorf("set up: %w", err)
	}
	sk, err := startSink()
	if err != nil {
		return 0, err
	}
	defer sk.close()

	// The instances, each on a fixed address, kept running by their supervisors.
	icfg := &instanceConfig{bin: bin, dsn: db.dsn, tenant: w.tenantID.String(), secretKey: w.secretKey,
		files: filepath.Join(dir, "files"), logDir: dir, smtpPort: sk.addr.Port, restartDelay: 200 * time.Millisecond}
	var instances []*instance
	for i := range o.instances {
		addr, err := freeAddr()
		if err != nil {
			return 0, err
		}
		instances = append(instances, &instance{n: i + 1, addr: addr, cfg: icfg})
	}
	clusterCtx, stopCluster := context.WithCancel(context.WithoutCancel(ctx))
	var cluster sync.WaitGroup
	defer func() { stopCluster(); cluster.Wait() }()
	probe := &http.Client{Timeout: time.Second}
	for _, in := range instances {
		cluster.Go(func() { in.supervise(clusterCtx) })
	}
	for _, in := range instances {
		if _, err := in.waitServing(ctx, probe, "", o.recoveryBound); err != nil {
			keepDir = true
			return 0, fmt.Errorf("instance %d did not start: see %s", in.n, dir)
		}
	}
	fmt.Fprintf(out, "chaos: %d instances on database %s; %d kills and %d PostgreSQL restarts over %s\n",
		len(instances), db.name, o.kills, o.dbRestarts, o.duration)

	// The loader, and the faults meanwhile.
	addrs := make([]string, len(instances))
	for i, in := range instances {
		addrs[i] = in.addr
	}
	ld := &loader{addrs: addrs, token: w.token, giveUp: o.giveUp, errs: map[string]int{},
		expire: o.expireEvery, client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}}
	loadCtx, stopLoad := context.WithTimeout(ctx, o.duration)
	defer stopLoad()
	loaded := make(chan struct{})
	go func() { ld.run(loadCtx, o.interval, o.tickets); close(loaded) }()

	obs := &Observed{Lease: dispatchLease}
	var (
		recMu     sync.Mutex
		recovered sync.WaitGroup
	)
	start := time.Now()
	for _, f := range schedule(o.kills, o.dbRestarts, o.duration) {
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(time.Until(start.Add(f.at))):
		}
		if f.dbRestart {
			wnd, err := restartDB(ctx, o.restart, db.server)
			if err != nil {
				return 0, err
			}
			obs.DBRestarts = append(obs.DBRestarts, wnd)
			fmt.Fprintf(out, "chaos: %s PostgreSQL restarted (down %s)\n", since(start), wnd.End.Sub(wnd.Start).Round(time.Millisecond))
			continue
		}
		in, killed := killOne(instances)
		if in == nil {
			fmt.Fprintf(out, "chaos: %s no instance running to kill\n", since(start))
			continue
		}
		obs.Kills = append(obs.Kills, Kill{Run: killed, At: time.Now()})
		recovered.Go(func() {
			took, err := in.waitServing(ctx, probe, killed, o.recoveryBound)
			recMu.Lock()
			obs.Recoveries = append(obs.Recoveries, Recovery{Run: killed, Took: took, OK: err == nil})
			recMu.Unlock()
		})
		fmt.Fprintf(out, "chaos: %s killed %s\n", since(start), killed)
	}
	<-loaded
	recovered.Wait()
	faultsEnd := time.Now()
	fmt.Fprintf(out, "chaos: %s faults over, loader done; draining\n", since(start))

	// The drain: no one intervenes; the outbox and the timers must empty by themselves.
	check := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(db.dsn)))
	defer check.Close()
	var pending, timers int
	for {
		pending, timers, err = busy(ctx, check)
		if err == nil && pending == 0 && timers == 0 {
			obs.Drained = true
			break
		}
		if time.Since(faultsEnd) > o.drainBound {
			break
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	drain := time.Since(faultsEnd)
	stopCluster()
	cluster.Wait()

	ld.mu.Lock()
	obs.Told = slices.Clone(ld.told)
	lost, answerLost := ld.lost, ld.answerLost
	ld.mu.Unlock()
	obs.Received = sk.Received()
	if err := read(ctx, check, w.tenantID, obs); err != nil {
		return 0, err
	}
	fig, violations := Check(obs)

	exits := 0
	for _, in := range instances {
		exits += in.exits
	}
	errs, errN := ld.errorSummary()
	fmt.Fprintf(out, "\nchaos summary (%d instances, %d kills, %d PostgreSQL restarts, %s of load):\n",
		len(instances), len(obs.Kills), len(obs.DBRestarts), o.duration)
	fmt.Fprintf(out, "  tickets:        %d answered 2xx, %d stored, by state %v; requests given up %d, carried out with the answer lost %d\n",
		fig.Told, fig.Stored, statesOf(obs.Tickets), lost, answerLost)
	fmt.Fprintf(out, "  timers:         %d offer timeouts escalated, %d expirations closed a ticket, %d timers left\n",
		fig.OfferFired, fig.ExpireFired, len(obs.Timers))
	fmt.Fprintf(out, "  notifications:  %d e-mails in the outbox, %d received, %d duplicates (%d at a kill, %d at a PostgreSQL restart)\n",
		fig.Outbox, fig.Received, fig.Duplicates, fig.DupAtKill, fig.DupAtDB)
	fmt.Fprintf(out, "  recovery:       %s\n", recoverySummary(obs.Recoveries))
	fmt.Fprintf(out, "  restarts:       %d processes ended by themselves and were started again (failed starts while PostgreSQL was down)\n", exits)
	fmt.Fprintf(out, "  drain:          %s after the faults (pending e-mails %d, timers %d)\n", drain.Round(time.Millisecond), pending, timers)
	fmt.Fprintf(out, "  loader errors:  %d failed attempts, retried: %s\n", errN, errs)
	if len(violations) == 0 {
		fmt.Fprintf(out, "  checks:         all passed\n")
		return 0, nil
	}
	keepDir = true
	fmt.Fprintf(out, "  checks:         %d violations\n", len(violations))
	for _, v := range violations {
		fmt.Fprintf(out, "    - %s\n", v)
	}
	return len(violations), nil
}

// killOne SIGKILLs a random running instance; it returns it and the run it killed, or nil
// when none is running.
func killOne(instances []*instance) (*instance, string) {
	for _, i := range rand.Perm(len(instances)) {
		if run, ok := instances[i].kill(); ok {
			return instances[i], run
		}
	}
	return nil, ""
}

// restartDB runs the restart command and waits for the server to answer again; it returns
// the window the server was away.
func restartDB(ctx context.Context, command, server string) (Window, error) {
	w := Window{Start: time.Now()}
	cmd := exec.CommandContext(ctx, "sh", "-c", command)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return w, fmt.Errorf("restart PostgreSQL (%s): %w", command, err)
	}
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := waitDB(wctx, server); err != nil {
		return w, fmt.Errorf("PostgreSQL did not come back after a restart: %w", err)
	}
	w.End = time.Now()
	return w, nil
}

// waitDB waits until the server is up: it answers a query, or refuses with an error of its
// own other than that it is starting up (too many clients, say: the server is up, and how
// the instances cope with that is theirs to show).
func waitDB(ctx context.Context, server string) error {
	for {
		db := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(server)))
		err := db.PingContext(ctx)
		db.Close()
		var pgErr pgdriver.Error
		if err == nil || errors.As(err, &pgErr) && pgErr.Field('C') != "57P03" { // cannot_connect_now
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last: %v)", ctx.Err(), err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// dispatchLease is the example server's notification lease: helpdesk.DispatchConfig.Lease's
// default, twice the default SendTimeout of 30 seconds.
const dispatchLease = time.Minute

func recoverySummary(rs []Recovery) string {
	if len(rs) == 0 {
		return "no kills"
	}
	ds := make([]time.Duration, 0, len(rs))
	failed := 0
	for _, r := range rs {
		ds = append(ds, r.Took)
		if !r.OK {
			failed++
		}
	}
	slices.Sort(ds)
	p := func(q float64) time.Duration { return ds[int(q*float64(len(ds)-1))].Round(time.Millisecond) }
	return fmt.Sprintf("%d restarts served again: median %s, p90 %s, max %s; %d not within the bound",
		len(rs)-failed, p(0.5), p(0.9), ds[len(ds)-1].Round(time.Millisecond), failed)
}

func since(start time.Time) string {
	return "+" + strconv.FormatFloat(time.Since(start).Seconds(), 'f', 1, 64) + "s"
}
