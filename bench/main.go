// Command bench is lablet's end-to-end benchmark (issue 5). It builds the
// binary, starts "lablet serve" on a loopback port with a temporary data
// dir, seeds a realistic instance, drives each endpoint of a fixed API and
// git mix with a fixed number of connections, and prints requests/s,
// latency percentiles, errors and the server's peak RSS. A full run also
// writes BENCHMARKS.md.
//
//	go run ./bench                 # default scale (10,000 projects), ~5 minutes on 2 cores
//	go run ./bench -short          # CI: tiny scale, 1s per endpoint, fails on any error
//	go run ./bench -db 'postgres://root@127.0.0.1:5432/postgres?sslmode=disable'
//	go run ./bench -db 'postgres://…' -only 'yardstick|GET' -instance-rounds 3   # reads, 1 and 2 instances alternating
//
// It only talks to 127.0.0.1, stops every process it starts and removes
// its temporary files, also when interrupted or failing.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"regexp"
	"syscall"
	"time"
)

type options struct {
	short    bool
	scale    int // projects
	conc     int
	gitConc  int
	duration time.Duration
	warmup   time.Duration
	db       string // "" SQLite; postgres://… base URL (a fresh database is created)
	out      string
	only     *regexp.Regexp
	repos    int
	commits  int
	files    int
	keep     bool
	profile  string // directory for per-endpoint CPU profiles of the server
	// instances: on PostgreSQL, the read rows also run through this many
	// lablet instances on one database (1: not); instanceRounds
	// alternates single and several instances that many times.
	instances      int
	instanceRounds int
}

func main() {
	var o options
	var only string
	flag.BoolVar(&o.short, "short", false, "tiny scale, 1s per endpoint; exit non-zero if any request failed (CI)")
	flag.IntVar(&o.scale, "scale", 10000, "number of projects to seed (users = scale/10, groups = scale/50)")
	flag.IntVar(&o.conc, "c", 64, "HTTP connections (concurrent workers) per endpoint")
	flag.IntVar(&o.gitConc, "git-c", 4, "concurrent git processes for ls-remote/clone/push")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "how long each endpoint is measured")
	flag.DurationVar(&o.warmup, "warmup", time.Second, "how long each endpoint runs before it is measured (caches fill; failures still count)")
	flag.StringVar(&o.db, "db", "", "also run against PostgreSQL: a postgres:// URL where the user may create databases")
	flag.StringVar(&o.out, "out", "", "markdown report path (default BENCHMARKS.md for full runs, none for -short; \"-\" for none)")
	flag.StringVar(&only, "only", "", "regexp: run only the endpoints whose name matches")
	flag.IntVar(&o.repos, "repos", 50, "projects with a pushed repository")
	flag.IntVar(&o.commits, "commits", 300, "commits in each seeded repository")
	flag.IntVar(&o.files, "files", 300, "files in each seeded repository")
	flag.StringVar(&o.profile, "profile", "", "directory: save CPU and heap profiles of the server for each endpoint (go tool pprof)")
	flag.IntVar(&o.instances, "instances", 2, "with -db: also drive the read rows round robin through this many lablet instances on one database and repositories dir (1: not)")
	flag.IntVar(&o.instanceRounds, "instance-rounds", 1, "alternate single and several instances this many times for each read row (the spread)")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary directory (data dirs, server logs) and the PostgreSQL database for inspection")
	flag.Parse()
	if o.short {
		o.scale, o.repos, o.commits, o.files = 60, 2, 20, 30
		o.duration = time.Second
		o.warmup = 0
		o.conc = min(o.conc, 16)
	}
	if only != "" {
		re, err := regexp.Compile(only)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench: -only:", err)
			os.Exit(2)
		}
		o.only = re
	}
	if o.out == "" && !o.short {
		o.out = "BENCHMARKS.md"
	}
	if o.out == "-" {
		o.out = ""
	}
	if o.scale < 10 || o.repos < 1 || o.conc < 1 || o.gitConc < 1 || o.commits < 1 || o.files < 1 ||
		o.instances < 1 || o.instanceRounds < 1 {
		fmt.Fprintln(os.Stderr, "bench: -scale >= 10, -repos, -c, -git-c, -commits, -files, -instances and -instance-rounds >= 1")
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, o)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		if errors.Is(err, errRequestsFailed) {
			os.Exit(1)
		}
		os.Exit(2)
	}
}

var errRequestsFailed = errors.New("some requests failed")

func run(ctx context.Context, o options) error {
	// A hard ceiling so that nothing can hang CI forever.
	limit := 45 * time.Minute
	if o.short {
		limit = 5 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()

	work, err := os.MkdirTemp("", "lablet-bench-")
	if err != nil {
		return err
	}
	if o.keep {
		defer logf("kept %s", work)
	} else {
		defer os.RemoveAll(work)
	}

	logf("building lablet")
	bin, err := goBuild(ctx, work, "lablet", "./cmd/lablet")
	if err != nil {
		return err
	}
	refBin, err := goBuild(ctx, work, "refserver", "./bench/refserver") // the yardstick
	if err != nil {
		return err
	}
	machine := describeMachine(ctx)
	logf("preparing a repository: %d commits, %d files", o.commits, o.files)
	srcRepo, err := prepareRepo(ctx, work, o.commits, o.files)
	if err != nil {
		return err
	}

	dbs := []string{""}
	if o.db != "" {
		dbs = append(dbs, o.db)
	}
	var runs []*dbRun
	failed := false
	for _, db := range dbs {
		r, err := runOne(ctx, o, work, bin, refBin, srcRepo, db)
		if r != nil {
			runs = append(runs, r)
			printRun(os.Stdout, o, r)
			if r.failed() {
				failed = true
			}
		}
		if err != nil {
			return err
		}
	}
	if o.out != "" {
		if err := writeMarkdown(o.out, o, machine, runs); err != nil {
			return err
		}
		logf("wrote %s", o.out)
	}
	if failed {
		return errRequestsFailed
	}
	return nil
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}
