package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
)

// instanceReads are the read rows driven through two instances (issue 21):
// reads through any instance must stay near the single-instance figures,
// the cross-instance invalidation (refs stamps, LISTEN/NOTIFY) leaving
// hot caches hot.
var instanceReads = []string{
	"GET /projects/:id",
	"GET /projects?membership",
	"GET …/repository/branches",
	"GET …/repository/tree",
	"GET …/repository/files/:path",
	"GET …/repository/files/:path/raw",
	"GET info/refs (v0)",
	"GET /projects/:id/issues?labels&state",
}

// instanceRow is one read row measured through one instance and through
// several, round by round (alternating, to show the machine's spread).
type instanceRow struct {
	Name     string
	One, Two []*result
	// OneTx and TwoTx are the database transactions each round committed
	// per request: what shows whether the instances' caches stay hot (a
	// cache another instance keeps emptying sends its reads to the database).
	OneTx, TwoTx []float64
}

// runInstances starts a second "lablet serve" on the same database and
// repositories dir (its own data dir) and drives the read rows through
// both in turn, each request to the next instance, beside the same rows
// through the first instance alone. With one round the single-instance
// figure is the row of the run's own table; with more, single and two
// instances alternate, each measured anew.
func runInstances(ctx context.Context, o options, r *dbRun, l *loader, eps []*endpoint,
	work, bin, dataDir, dbURL, tag string) error {
	byName := map[string]*endpoint{}
	for _, ep := range eps {
		byName[ep.name] = ep
	}
	var rows []*instanceRow
	for _, name := range instanceReads {
		if ep := byName[name]; ep != nil && (o.only == nil || o.only.MatchString(name)) {
			rows = append(rows, &instanceRow{Name: name})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	logf("[%s] starting %d more lablet instance(s) on the same database and repositories dir", r.DB, o.instances-1)
	servers := []*server{l.srv}
	for i := 2; i <= o.instances; i++ {
		dir := filepath.Join(work, fmt.Sprintf("data-%s-%d", tag, i))
		srv, ready, err := startServer(ctx, bin, dir, dbURL, filepath.Join(work, fmt.Sprintf("serve-%s-%d.log", tag, i)),
			false, "LABLET_REPOSITORIES_DIR="+filepath.Join(dataDir, "repositories"), instanceProcs(o.instances))
		if err != nil {
			return err
		}
		defer srv.stop()
		logf("[%s] instance %d ready in %s", r.DB, i, fmtDur(ready))
		servers = append(servers, srv)
	}
	multi := newLoader(l.srv, l.sd, l.src, o.conc, work)
	defer multi.close()
	multi.instances = servers
	single := map[string]*result{}
	for _, res := range r.Results {
		single[res.Name] = res
	}
	run := func(ld *loader, ep *endpoint, label, phase string) *result {
		conc := o.conc
		if ep.git {
			conc = o.gitConc
		}
		logf("[%s] %s, %s: %d workers for %s", r.DB, ep.name, label, conc, o.duration)
		res := ld.runEndpoint(ctx, ep, conc, o.warmup, o.duration, phase)
		logf("    %.0f req/s, p50 %s, p99 %s, %d errors", res.RPS(), fmtDur(res.P50), fmtDur(res.P99), res.Errors)
		if res.FirstError != "" {
			logf("    first error: %s", res.FirstError)
		}
		return res
	}
	stats, err := openTxCounter(dbURL)
	if err != nil {
		return err
	}
	defer stats.Close()
	// counted runs a round and returns it with its transactions per request.
	counted := func(ld *loader, ep *endpoint, label, phase string) (*result, float64) {
		before := stats.committed(ctx)
		res := run(ld, ep, label, phase)
		return res, stats.perRequest(ctx, before, res)
	}
	for i, row := range rows {
		ep := byName[row.Name]
		// The first instance served this row in the main table before;
		// the added ones get the same turn, not counted, so that both
		// sides are measured warm, as long-running instances are.
		run(multi, ep, fmt.Sprintf("%d instances, warm-up (not counted)", o.instances), fmt.Sprintf("i%d-2-warm", i))
		for round := 0; round < o.instanceRounds && ctx.Err() == nil; round++ {
			if one := single[row.Name]; o.instanceRounds == 1 && one != nil && one.Unavailable == "" {
				row.One = append(row.One, one)
			} else {
				res, tx := counted(l, ep, "1 instance", fmt.Sprintf("i%d-1-%d", i, round))
				row.One, row.OneTx = append(row.One, res), append(row.OneTx, tx)
			}
			res, tx := counted(multi, ep, fmt.Sprintf("%d instances", o.instances), fmt.Sprintf("i%d-2-%d", i, round))
			row.Two, row.TwoTx = append(row.Two, res), append(row.TwoTx, tx)
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	r.Instances = rows
	for i, srv := range servers[1:] {
		select {
		case <-srv.exited:
			r.ServerFailures += fmt.Sprintf("instance %d exited during the run (%v)\n", i+2, srv.waitErr)
		default:
		}
	}
	return nil
}

// instanceProcs sizes an added instance's Go runtime to its share of this
// machine's cores. Each runtime otherwise takes every core, and two of them
// on one small machine spin against each other and the load generator:
// on 2 cores that cost 10–20 % of a row. On separate machines, as in a real
// deployment, each instance would have its own cores.
func instanceProcs(instances int) string {
	if v := os.Getenv("GOMAXPROCS"); v != "" {
		return "GOMAXPROCS=" + v
	}
	return fmt.Sprintf("GOMAXPROCS=%d", max(1, runtime.NumCPU()/instances))
}

// instancesFailed reports whether a request through several instances failed.
func instancesFailed(rows []*instanceRow) bool {
	for _, row := range rows {
		for _, res := range append(slices.Clone(row.One), row.Two...) {
			if res.Errors > 0 {
				return true
			}
		}
	}
	return false
}

// rpsSpread is the median req/s of the rounds, with their range when
// there are several.
func rpsSpread(rs []*result) (float64, string) {
	if len(rs) == 0 {
		return 0, "-"
	}
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = r.RPS()
	}
	slices.Sort(v)
	med := v[len(v)/2]
	if len(v)%2 == 0 {
		med = (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	if len(v) == 1 {
		return med, fmt.Sprintf("%.0f", med)
	}
	return med, fmt.Sprintf("%.0f (%.0f–%.0f)", med, v[0], v[len(v)-1])
}

// instanceCells are a row's table cells: 1 and N instances req/s, N ÷ 1,
// each ÷ the yardstick of the run, and N instances' latency and errors.
func instanceCells(row *instanceRow, yard float64) []string {
	one, oneS := rpsSpread(row.One)
	two, twoS := rpsSpread(row.Two)
	ratio := func(a, b float64) string {
		if b <= 0 {
			return "-"
		}
		return fmt.Sprintf("%.2f", a/b)
	}
	yratio := func(a float64) string {
		if yard <= 0 {
			return "-"
		}
		return fmt.Sprintf("%.3f", a/yard)
	}
	last := row.Two[len(row.Two)-1]
	errs := 0
	for _, res := range row.Two {
		errs += res.Errors
	}
	return []string{row.Name, fmt.Sprint(last.Conc), oneS, twoS, ratio(two, one), yratio(one), yratio(two),
		txCell(row.OneTx), txCell(row.TwoTx),
		fmtDur(last.P50), fmtDur(last.P99), fmt.Sprint(errs), fmt.Sprintf("%.0f", last.CPU)}
}

// txCell is the median of a row's transactions per request, "-" where
// none was counted.
func txCell(v []float64) string {
	v = slices.DeleteFunc(slices.Clone(v), func(x float64) bool { return x < 0 })
	if len(v) == 0 {
		return "-"
	}
	slices.Sort(v)
	return fmt.Sprintf("%.3f", v[len(v)/2])
}

var instanceHeader = []string{"endpoint", "conc", "1 instance req/s", "%d instances req/s", "%d ÷ 1",
	"1 ÷ yardstick", "%d ÷ yardstick", "db tx/req (1)", "db tx/req (%d)", "p50 (%d)", "p99 (%d)", "errors (%d)", "CPU %% (%d, sum)"}

func instanceHeads(n int) []string {
	out := make([]string, len(instanceHeader))
	for i, h := range instanceHeader {
		if strings.Contains(h, "%d") {
			h = fmt.Sprintf(h, n)
		}
		out[i] = h
	}
	return out
}

// yardstickRPS is the yardstick's req/s in a run, 0 if it did not run.
func yardstickRPS(r *dbRun) float64 {
	for _, res := range r.Results {
		if res.Name == referenceName && res.Unavailable == "" {
			return res.RPS()
		}
	}
	return 0
}

// instancesIntro says what the several-instances table shows.
func instancesIntro(o options) string {
	rounds := "the single-instance figure is the row above"
	if o.instanceRounds > 1 {
		rounds = fmt.Sprintf("%d rounds, single and %d instances alternating, median (min–max)", o.instanceRounds, o.instances)
	}
	return fmt.Sprintf("%d instances on one database and repositories dir, requests round robin (%s); "+
		"on one machine the instances share its cores with each other and the load generator", o.instances, rounds)
}

// printInstances writes the several-instances table of a run.
func printInstances(w io.Writer, o options, r *dbRun) {
	if r.InstancesNote != "" {
		fmt.Fprintf(w, "instances: %s\n", r.InstancesNote)
	}
	if len(r.Instances) == 0 {
		return
	}
	fmt.Fprintf(w, "instances: %s\n", instancesIntro(o))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(instanceHeads(o.instances), "\t"))
	yard := yardstickRPS(r)
	for _, row := range r.Instances {
		fmt.Fprintln(tw, strings.Join(instanceCells(row, yard), "\t"))
	}
	tw.Flush()
}

// markdownInstances writes the several-instances table of a run.
func markdownInstances(b *strings.Builder, o options, r *dbRun) {
	if r.InstancesNote != "" {
		fmt.Fprintf(b, "\n- several instances: %s\n", r.InstancesNote)
	}
	if len(r.Instances) == 0 {
		return
	}
	fmt.Fprintf(b, "\nSeveral instances: %s.\n\n", instancesIntro(o))
	heads := instanceHeads(o.instances)
	b.WriteString("| " + strings.Join(heads, " | ") + " |\n|---|" + strings.Repeat("--:|", len(heads)-1) + "\n")
	yard := yardstickRPS(r)
	for _, row := range r.Instances {
		cells := instanceCells(row, yard)
		cells[0] = "`" + cells[0] + "`"
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
}
