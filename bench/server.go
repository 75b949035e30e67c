package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const rootPassword = "bench-root-password-1234"

// goBuild compiles the module's package pkg into dir/name.
func goBuild(ctx context.Context, dir, name, pkg string) (string, error) {
	bin := filepath.Join(dir, name)
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, pkg)
	cmd.Dir = moduleRoot()
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
	}
	return bin, nil
}

// moduleRoot finds the directory holding go.mod, from the working directory up.
func moduleRoot() string {
	dir, _ := os.Getwd()
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir
		}
		d = parent
	}
}

// server is a running "lablet serve" child process.
type server struct {
	cmd     *exec.Cmd
	addr    string // 127.0.0.1:port
	base    string // http://127.0.0.1:port
	bin     string
	env     []string
	logPath string
	pprof   string // host:port of the pprof listener, if any
	ssh     string // host:port of git over SSH
	exited  chan struct{}
	waitErr error
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr, nil
}

// startServer starts lablet on a free loopback port and waits for
// /-/readiness; it returns the time from start to the first ready answer.
// extraEnv ("KEY=value") goes last: a second instance's repositories dir.
func startServer(ctx context.Context, bin, dataDir, dbURL, logPath string, profile bool, extraEnv ...string) (*server, time.Duration, error) {
	addr, err := freePort()
	if err != nil {
		return nil, 0, err
	}
	sshAddr, err := freePort()
	if err != nil {
		return nil, 0, err
	}
	pprofAddr := ""
	if profile {
		if pprofAddr, err = freePort(); err != nil {
			return nil, 0, err
		}
	}
	env := append(os.Environ(),
		"LABLET_PPROF_LISTEN="+pprofAddr,
		"LABLET_SSH_LISTEN="+sshAddr,
		"LABLET_DATA_DIR="+dataDir,
		"LABLET_ROOT_PASSWORD="+rootPassword,
		"LABLET_DATABASE_URL="+dbURL,
		"LABLET_LOG_LEVEL=warn",
		"LABLET_EXTERNAL_URL=",
	)
	env = append(env, extraEnv...)
	logf2, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, 0, err
	}
	defer logf2.Close()
	cmd := exec.Command(bin, "serve", "--listen", addr)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = logf2, logf2
	// Own process group, so that git children can be stopped with it; and
	// die with the bench if it is killed.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	s := &server{cmd: cmd, addr: addr, base: "http://" + addr, bin: bin, env: env, logPath: logPath, pprof: pprofAddr, ssh: sshAddr,
		exited: make(chan struct{})}
	ready, err := s.start(ctx, "lablet")
	if err != nil {
		return nil, 0, err
	}
	return s, ready, nil
}

// start starts s's process and waits for /-/readiness; it returns the
// time from start to the first ready answer.
func (s *server) start(ctx context.Context, what string) (time.Duration, error) {
	start := time.Now()
	if err := s.cmd.Start(); err != nil {
		return 0, fmt.Errorf("start %s: %w", what, err)
	}
	go func() {
		s.waitErr = s.cmd.Wait()
		close(s.exited)
	}()
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if time.Now().After(deadline) || ctx.Err() != nil {
			s.stop()
			return 0, fmt.Errorf("%s not ready after 60s; log:\n%s", what, tail(s.logPath))
		}
		select {
		case <-s.exited:
			return 0, fmt.Errorf("%s exited (%v); log:\n%s", what, s.waitErr, tail(s.logPath))
		default:
		}
		resp, err := client.Get(s.base + "/-/readiness")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(start), nil
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// startReference starts the yardstick server on a free loopback port with
// its SQLite file in dir.
func startReference(ctx context.Context, bin, dir string) (*server, error) {
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, "refserver.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	cmd := exec.Command(bin, "-listen", addr, "-db", filepath.Join(dir, "refserver.db"))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	s := &server{cmd: cmd, addr: addr, base: "http://" + addr, bin: bin, logPath: logPath, exited: make(chan struct{})}
	if _, err := s.start(ctx, "refserver"); err != nil {
		return nil, err
	}
	return s, nil
}

// cpuProfile saves a CPU profile of the next d into path; it blocks for d.
func (s *server) cpuProfile(ctx context.Context, d time.Duration, path string) error {
	secs := int((d + time.Second - 1) / time.Second)
	return s.saveProfile(ctx, fmt.Sprintf("profile?seconds=%d", secs), path)
}

// saveProfile saves the server's /debug/pprof/<what> into path.
func (s *server) saveProfile(ctx context.Context, what, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		fmt.Sprintf("http://%s/debug/pprof/%s", s.pprof, what), nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("pprof: %s", resp.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// stop sends SIGTERM, waits up to 15s, then kills the process group.
func (s *server) stop() {
	if s == nil || s.cmd.Process == nil {
		return
	}
	select {
	case <-s.exited:
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(15 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.exited
	}
}

// tokenCreate runs "lablet token create" against the server's storage.
func (s *server) tokenCreate(ctx context.Context, user, scopes string) (string, error) {
	cmd := exec.CommandContext(ctx, s.bin, "token", "create", "--user", user, "--name", "bench", "--scopes", scopes)
	cmd.Env = s.env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("token create: %v: %s", err, errb.String())
	}
	return strings.TrimSpace(out.String()), nil
}

// memStatus reads VmRSS and VmHWM (peak) of the server, in bytes.
func (s *server) memStatus() (rss, hwm int64) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		for _, k := range []struct {
			name string
			dst  *int64
		}{{"VmRSS:", &rss}, {"VmHWM:", &hwm}} {
			if rest, ok := strings.CutPrefix(line, k.name); ok {
				fs := strings.Fields(rest)
				if len(fs) > 0 {
					n, _ := strconv.ParseInt(fs[0], 10, 64)
					*k.dst = n * 1024
				}
			}
		}
	}
	return rss, hwm
}

// cpuTime is the server's user and system CPU time so far, from
// /proc/<pid>/stat (utime and stime, in USER_HZ ticks: 100 a second on
// Linux whatever the kernel's own rate).
func (s *server) cpuTime() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// The command name may hold spaces; the fields after it are fixed.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	fs := strings.Fields(string(b[i+1:]))
	if len(fs) < 13 { // state is field 3; utime and stime are 14 and 15
		return 0
	}
	utime, _ := strconv.ParseInt(fs[11], 10, 64)
	stime, _ := strconv.ParseInt(fs[12], 10, 64)
	return time.Duration(utime+stime) * (time.Second / 100)
}

// settle waits until the server is idle — under 5 % of a core over half a
// second — or max passed, and returns how long it waited: work the phases
// before the rows leave behind (webhook deliveries' bookkeeping in the
// background queue, a WAL checkpoint) would otherwise be measured as part
// of the first rows.
func (s *server) settle(ctx context.Context, max time.Duration) time.Duration {
	const window = 500 * time.Millisecond
	start := time.Now()
	for time.Since(start) < max && ctx.Err() == nil {
		before := s.cpuTime()
		time.Sleep(window)
		if s.cpuTime()-before < window/20 {
			break
		}
	}
	return time.Since(start)
}

// rssSampler records the highest VmRSS seen while it runs.
type rssSampler struct {
	stopc chan struct{}
	done  chan struct{}
	peak  int64
}

func (s *server) sampleRSS() *rssSampler {
	r := &rssSampler{stopc: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(r.done)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			if rss, _ := s.memStatus(); rss > r.peak {
				r.peak = rss
			}
			select {
			case <-r.stopc:
				return
			case <-t.C:
			}
		}
	}()
	return r
}

func (r *rssSampler) stop() int64 {
	close(r.stopc)
	<-r.done
	return r.peak
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// machine describes where the bench ran.
type machine struct {
	CPU    string
	Cores  int
	Memory string
	Go     string
	Git    string
	OS     string
}

func describeMachine(ctx context.Context) machine {
	m := machine{CPU: "unknown", Cores: runtime.NumCPU(), Memory: "unknown", OS: runtime.GOOS + "/" + runtime.GOARCH}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				if fs := strings.Fields(rest); len(fs) > 0 {
					kb, _ := strconv.ParseInt(fs[0], 10, 64)
					m.Memory = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
				}
			}
		}
	}
	m.Go = cmdOutput(ctx, "go", "env", "GOVERSION")
	m.Git = strings.TrimPrefix(cmdOutput(ctx, "git", "--version"), "git version ")
	return m
}

func cmdOutput(ctx context.Context, name string, args ...string) string {
	out, err := exec.CommandContext(ctx, name, args...).Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

var errUnavailable = errors.New("unavailable")
