package main

import (
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"
)

func fmtDur(d time.Duration) string {
	switch {
	case d == 0:
		return "-"
	case d < time.Millisecond:
		return fmt.Sprintf("%.0fµs", float64(d)/float64(time.Microsecond))
	case d < 100*time.Millisecond:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	case d < 10*time.Second:
		return fmt.Sprintf("%.0fms", float64(d)/float64(time.Millisecond))
	default:
		return d.Round(100 * time.Millisecond).String()
	}
}

func mib(b int64) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f", float64(b)/(1<<20))
}

func cloneLine(r *dbRun) string {
	if r.CloneHTTP == 0 {
		return "unavailable (" + r.CloneNote + ")"
	}
	ssh := "SSH unavailable"
	if r.CloneSSH > 0 {
		ssh = fmt.Sprintf("SSH %s (%.2f× HTTP)", fmtDur(r.CloneSSH), float64(r.CloneSSH)/float64(r.CloneHTTP))
	}
	return fmt.Sprintf("HTTP %s, %s, file:// %s, HTTP/file ratio %.2f× (median of several bare clones of one repository)",
		fmtDur(r.CloneHTTP), ssh, fmtDur(r.CloneFile), float64(r.CloneHTTP)/float64(r.CloneFile))
}

func seedLine(r *dbRun) string {
	c := r.Counts
	return fmt.Sprintf("%d users, %d groups, %d projects, %d memberships, %d issues (%d assigned to the bench user) and %d merge requests "+
		"(seeded in %s) in %s (service layer and store, server stopped); %d repositories pushed in %s",
		c.Users, c.Groups, c.Projects, c.Members, c.Issues, c.AssignedIssues, c.MergeRequests, c.SeedIssues.Round(time.Millisecond),
		c.Seed.Round(time.Millisecond), len(c.RepoProjects), c.SeedRepos.Round(time.Millisecond))
}

// printRun writes one database's results to w as an aligned table.
func printRun(w io.Writer, o options, r *dbRun) {
	fmt.Fprintf(w, "\n== %s ==\n", r.DB)
	fmt.Fprintf(w, "seed:      %s\n", seedLine(r))
	fmt.Fprintf(w, "readiness: empty data dir %s, seeded %s\n", fmtDur(r.ReadyEmpty), fmtDur(r.ReadySeeded))
	fmt.Fprintf(w, "clone:     %s\n", cloneLine(r))
	fmt.Fprintf(w, "webhooks:  %s\n", r.Hooks)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "endpoint\tconc\treq/s\tp50\tp90\tp99\trequests\terrors\tpeak RSS MiB\tCPU %")
	for _, res := range r.Results {
		if res.Unavailable != "" {
			fmt.Fprintf(tw, "%s\t%d\tunavailable\t-\t-\t-\t-\t-\t-\t-\n", res.Name, res.Conc)
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%s\t%s\t%s\t%d\t%d\t%s\t%.1f\n", res.Name, res.Conc, res.RPS(),
			fmtDur(res.P50), fmtDur(res.P90), fmtDur(res.P99), res.Requests, res.Errors, mib(res.PeakRSS), res.CPU)
	}
	tw.Flush()
	fmt.Fprintf(w, "server RSS: idle %s MiB (seeded, before load), peak %s MiB (VmHWM)\n", mib(r.IdleRSS), mib(r.PeakRSS))
	for _, res := range r.Results {
		if res.Unavailable != "" {
			fmt.Fprintf(w, "unavailable: %s: %s\n", res.Name, res.Unavailable)
		}
		if res.FirstError != "" {
			fmt.Fprintf(w, "first error of %s: %s\n", res.Name, res.FirstError)
		}
	}
	printInstances(w, o, r)
	if r.ServerFailures != "" {
		fmt.Fprintln(w, r.ServerFailures)
	}
}

const mdHeader = `# Benchmarks

Produced by ` + "`go run ./bench`" + ` (issue 5). The bench builds lablet, starts ` + "`lablet serve`" + ` on a
loopback port with a temporary data dir, seeds an instance, then drives each endpoint alone for a
fixed time with a fixed number of keep-alive connections, and finally a weighted mix of the HTTP
endpoints. Each endpoint first runs for a warm-up second that is not measured (caches fill and
pooled git processes start; a failure there still counts), except *GET /projects/:id first read*,
which asks for each project the user can see once, in a shuffled order, from its first request:
the cost of a read that finds nothing cached, comparable between scales (at 10,000 projects the
steady-state row after it is nearly all cache hits; at 100,000 a short run would see mostly first
visits, so the two rows are kept apart). The first row is a yardstick, not lablet:
` + "`bench/refserver`" + `, a bare ` + "`net/http`" + ` handler that reads one SQLite row by primary key (same driver
and pragmas) and writes 1 KB of JSON, driven the same way right before lablet's endpoints. Issue 5
set its targets on a day this did 35,000–42,000 req/s; the speed of this shared machine moves by
2× and more within a day, so read each figure against the yardstick of the same run. The two
writes run again with one
client, for their latency without queueing. Everything runs on one machine: the load generator
and git clients share the CPUs with the server, so the figures are a floor, not a capacity.
On PostgreSQL the read rows run once more through two ` + "`lablet serve`" + ` instances on the same
database and repositories dir, each request to the next instance (` + "`-instances N`" + `; issue 21), beside
the single-instance figure and the yardstick; ` + "`-instance-rounds N`" + ` measures single and two
instances anew N times, alternating, to show the spread. On SQLite (one process owns the file)
they are skipped.

    go run ./bench                     # default scale, writes this file (about 5 minutes on 2 cores)
    go run ./bench -short              # CI: tiny scale, 1s per endpoint, exit 1 on any failed request
    go run ./bench -scale 100000       # 100,000 projects (10,000 users, 2,000 groups)
    go run ./bench -db 'postgres://root@127.0.0.1:5432/postgres?sslmode=disable'   # SQLite, then PostgreSQL
    go run ./bench -only 'repository'  # a subset of endpoints (regexp on the name)
    go run ./bench -db 'postgres://…' -scale 1000 -only 'yardstick|^GET' -instance-rounds 3   # 1 and 2 instances, alternating
    go run ./bench -profile /tmp/prof  # also CPU and heap profiles of the server per endpoint (go tool pprof)
    go test -run '^$' -bench . -benchmem ./internal/auth ./internal/service ./internal/api/v4 ./internal/repo

Seeding: users (one shared bcrypt hash), groups with subgroups up to three levels, projects
(70% in groups, 30% personal; 60% private, 20% internal, 20% public) and memberships are written
through the service layer with the server stopped, because the REST API creates them too slowly
(see the observations below); bulk projects therefore have no repository on disk. The repository
projects are created through ` + "`POST /projects`" + ` and a generated repository (` + "`git fast-import`" + `,
nested directories, 20 branches, 10 tags) is pushed to each over HTTP (over ` + "`file://`" + ` when lablet
does not serve git yet). Requests act as a regular user (Developer of a tenth of the top-level
groups, Maintainer of the repository group) with an ` + "`api`" + ` token; targets are drawn at random
among what that user can see.

Columns: **conc** concurrent connections (git: concurrent processes); **req/s** completed
requests (or git commands) per second, failed ones included; **p50/p90/p99** latency percentiles
of all requests, measured at the client from sending to the last byte (git: the whole command);
**errors** transport errors and non-2xx answers; **peak RSS** the highest VmRSS of the server
process sampled every 50ms during that endpoint (its git children are not counted); the idle
RSS is read a second after the server starts on the seeded data dir, before any load; **CPU %**
the server process's CPU time (user and system, from ` + "`/proc`" + `) over the measured time, in percent
of one core.
*unavailable* means the route answered 404/405 (not implemented yet) and was skipped.

The figures move by 10–30% from run to run on a shared machine: compare medians of several runs,
on the same machine, and never read a single run as a regression.
`

// writeMarkdown writes BENCHMARKS.md.
func writeMarkdown(path string, o options, m machine, runs []*dbRun) error {
	var b strings.Builder
	b.WriteString(mdHeader)
	fmt.Fprintf(&b, "\n## Run of %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	dbs := make([]string, 0, len(runs))
	for _, r := range runs {
		dbs = append(dbs, r.DB)
	}
	fmt.Fprintf(&b, "- machine: %s, %d cores, %s memory, %s\n", m.CPU, m.Cores, m.Memory, m.OS)
	fmt.Fprintf(&b, "- Go %s, git %s; database: %s\n", strings.TrimPrefix(m.Go, "go"), m.Git, strings.Join(dbs, ", "))
	fmt.Fprintf(&b, "- command: `%s` (%s measured per endpoint after %s of warm-up, %d connections, %d git processes)\n",
		strings.TrimSpace("go run ./bench "+strings.Join(redactArgs(os.Args[1:]), " ")), o.duration, o.warmup, o.conc, o.gitConc)
	for _, r := range runs {
		if r.Mix != "" {
			fmt.Fprintf(&b, "- mix weights: %s\n", r.Mix)
			break
		}
	}
	for _, r := range runs {
		fmt.Fprintf(&b, "\n### %s\n\n", r.DB)
		fmt.Fprintf(&b, "- seed: %s\n", seedLine(r))
		fmt.Fprintf(&b, "- start to `/-/readiness`: empty data dir %s, seeded %s\n", fmtDur(r.ReadyEmpty), fmtDur(r.ReadySeeded))
		fmt.Fprintf(&b, "- `git clone`: %s\n", cloneLine(r))
		fmt.Fprintf(&b, "- webhooks: %s\n", r.Hooks)
		fmt.Fprintf(&b, "- server RSS: idle %s MiB (seeded data dir, a second after start, before any load); peak over the whole run (VmHWM) %s MiB\n\n", mib(r.IdleRSS), mib(r.PeakRSS))
		b.WriteString("| endpoint | conc | req/s | p50 | p90 | p99 | requests | errors | peak RSS MiB | CPU % |\n")
		b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
		for _, res := range r.Results {
			if res.Unavailable != "" {
				fmt.Fprintf(&b, "| `%s` | %d | unavailable: %s | | | | | | | |\n", res.Name, res.Conc, res.Unavailable)
				continue
			}
			fmt.Fprintf(&b, "| `%s` | %d | %.0f | %s | %s | %s | %d | %d | %s | %.1f |\n", res.Name, res.Conc, res.RPS(),
				fmtDur(res.P50), fmtDur(res.P90), fmtDur(res.P99), res.Requests, res.Errors, mib(res.PeakRSS), res.CPU)
		}
		markdownInstances(&b, o, r)
	}
	// The observations are written by hand; a new run keeps them.
	if old, err := os.ReadFile(path); err == nil {
		if i := strings.Index(string(old), "\n"+observationsHeading); i >= 0 {
			b.WriteString("\n")
			b.WriteString(string(old[i:]))
		}
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// observationsHeading starts the hand-written part of BENCHMARKS.md.
const observationsHeading = "## Observations"

// redactArgs hides a password in a -db URL.
func redactArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if u, err := url.Parse(a); err == nil && u.User != nil {
			if _, ok := u.User.Password(); ok {
				u.User = url.UserPassword(u.User.Username(), "xxx")
				a = u.String()
			}
		}
		if strings.ContainsAny(a, "?&*|;<>()$`\\\"' ") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out[i] = a
	}
	return out
}
