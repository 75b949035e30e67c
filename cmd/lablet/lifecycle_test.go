package main

import (
	"context"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestPortInUse: an address in use fails before the data dir, the
// database and root's password are created, naming the address.
func TestPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	work := t.TempDir()
	r := runLablet(t, work, baseEnv(storageEnv(t)...), "serve", "--listen", ln.Addr().String())
	if r.code != 1 || strings.Count(r.stderr, "\n") != 1 ||
		!strings.Contains(r.stderr, "cannot listen on "+ln.Addr().String()+" (--listen, LABLET_LISTEN)") ||
		!strings.Contains(r.stderr, "address already in use") {
		t.Fatalf("status %d, stderr %q; want 1 and one line naming the address", r.code, r.stderr)
	}
	if got := dirEntries(t, work); len(got) != 0 {
		t.Fatalf("serve created %v before failing to listen", got)
	}
}

// TestCleanShutdown: SIGINT and SIGTERM stop the server with exit status 0
// and one log line that says why.
func TestCleanShutdown(t *testing.T) {
	for _, tc := range []struct {
		sig    os.Signal
		reason string
	}{{os.Interrupt, "interrupt signal received"}, {syscall.SIGTERM, "terminated signal received"}} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			env := baseEnv(append(storageEnv(t), "LABLET_DATA_DIR="+t.TempDir())...)
			p := startServe(t, t.TempDir(), env)
			if code := p.stop(t, tc.sig); code != 0 {
				t.Fatalf("exit status %d, want 0:\n%s", code, p.output())
			}
			lines := p.logLinesAfterStart(t)
			if len(lines) != 1 || lines[0]["msg"] != "lablet stopped" || lines[0]["reason"] != tc.reason ||
				lines[0]["level"] != "INFO" {
				t.Fatalf("log after start = %v, want one \"lablet stopped\" line with reason %q", lines, tc.reason)
			}
		})
	}
}

// TestReadOnlyDatabase: a SQLite database lablet may not write fails at
// start, naming the file (or the directory SQLite needs for -wal and
// -shm), instead of starting and failing every write.
func TestReadOnlyDatabase(t *testing.T) {
	if len(storageEnv(t)) > 0 {
		t.Skip("SQLite only")
	}
	for _, tc := range []struct {
		name string
		prep func(dataDir string) error
		want func(dataDir string) string
	}{
		{"File", func(d string) error { return os.Chmod(filepath.Join(d, "lablet.db"), 0o400) },
			func(d string) string {
				return "SQLite database file " + filepath.Join(d, "lablet.db") + " is not writable"
			}},
		{"Dir", func(d string) error { return os.Chmod(d, 0o500) },
			func(d string) string { return "directory " + d + " is not writable" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A world-searchable place, as another user may have to run lablet.
			top, err := os.MkdirTemp("", "lablet-ro-")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				_ = filepath.Walk(top, func(p string, _ os.FileInfo, _ error) error { return os.Chmod(p, 0o700) })
				os.RemoveAll(top)
			})
			if err := os.Chmod(top, 0o755); err != nil {
				t.Fatal(err)
			}
			dataDir := filepath.Join(top, "data")
			env := baseEnv("LABLET_DATA_DIR=" + dataDir)
			p := startServe(t, top, env)
			if code := p.stop(t, os.Interrupt); code != 0 {
				t.Fatalf("first start: exit status %d", code)
			}
			asUser := readOnlyUser(t, dataDir)
			if err := tc.prep(dataDir); err != nil {
				t.Fatal(err)
			}
			// Killed if it starts anyway (it used to, failing every write).
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, buildBinary(t), "serve", "--listen", "127.0.0.1:0")
			cmd.Dir, cmd.Env = top, env
			cmd.SysProcAttr = asUser
			out, err := cmd.CombinedOutput()
			if err == nil || cmd.ProcessState.ExitCode() != 1 {
				t.Fatalf("serve on a read-only database: %v\n%s", err, out)
			}
			if want := tc.want(dataDir); !strings.Contains(string(out), want) || strings.Count(string(out), "\n") != 1 {
				t.Fatalf("output %q, want one line with %q", out, want)
			}
		})
	}
}

// readOnlyUser returns how to run lablet so that file modes bind it: as
// is, or, for root (whom modes do not bind), as nobody, who is then given
// dataDir.
func readOnlyUser(t *testing.T, dataDir string) *syscall.SysProcAttr {
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup("nobody")
	if err != nil {
		t.Skipf("running as root without a nobody user: %v", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	err = filepath.Walk(dataDir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
	if err != nil {
		t.Fatal(err)
	}
	return &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
}

// TestShutdownDrains: a request in flight when SIGTERM arrives finishes
// (its body still arriving after the signal) and is answered, no new
// connection is accepted meanwhile, and the server then exits 0 saying
// it cut nothing.
func TestShutdownDrains(t *testing.T) {
	env := baseEnv(append(storageEnv(t), "LABLET_DATA_DIR="+t.TempDir())...)
	p := startServe(t, t.TempDir(), env)
	token := createToken(t, t.TempDir(), env, "api")

	conn, err := net.Dial("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"name":"drained","description":"` + strings.Repeat("x", 200) + `"}`
	head := "POST /api/v4/projects HTTP/1.1\r\nHost: " + p.addr + "\r\nPRIVATE-TOKEN: " + token +
		"\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"
	if _, err := conn.Write([]byte(head + body[:len(body)/2])); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // the server is reading the body
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// Stopped accepting: a new connection is refused (or closed unanswered).
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", p.addr, time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections after SIGTERM")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := conn.Write([]byte(body[len(body)/2:])); err != nil {
		t.Fatalf("the in-flight request was cut: %v", err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	reply := make([]byte, 64)
	n, _ := conn.Read(reply)
	if !strings.HasPrefix(string(reply[:n]), "HTTP/1.1 201") {
		t.Fatalf("in-flight request answered %q, want 201", reply[:n])
	}
	if code := p.stop(t, syscall.SIGTERM); code != 0 {
		t.Fatalf("exit status %d:\n%s", code, p.output())
	}
	lines := p.logLinesAfterStart(t)
	if len(lines) == 0 || lines[len(lines)-1]["msg"] != "lablet stopped" || lines[len(lines)-1]["requests_cut"] != false {
		t.Fatalf("log after start = %v", lines)
	}
}
