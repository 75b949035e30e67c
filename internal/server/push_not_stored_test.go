package server_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestPushNotStoredIsLogged: when git cannot store a push's objects it
// tells the client in its report and exits 0; lablet logs it, for pushes
// over HTTP and over SSH alike. The repository refuses every pack here
// (receive.maxInputSize), as a full disk would.
func TestPushNotStoredIsLogged(t *testing.T) {
	f := newSSHFixture(t)
	dev := f.as(f.userKey(f.dev, nil))
	w := dev.clone(f.sshURL)
	dir := f.s.Srv.Repos.Path(f.project.ID)
	if out, err := exec.Command("git", "-C", dir, "config", "receive.maxInputSize", "1").CombinedOutput(); err != nil {
		t.Fatalf("git config: %v\n%s", err, out)
	}
	const logged = "githttp: push not stored"
	dev.mustGit(w, "checkout", "-q", "-b", "topic")
	dev.commit(w, "a.txt", strings.Repeat("a line\n", 100))
	for _, remote := range []struct{ name, url string }{
		{"ssh", f.sshURL}, {"http", f.url("oauth2", f.dev.Token, "team/app.git")},
	} {
		before := strings.Count(f.s.Logs(), logged)
		dev.failGit("unpack", w, "push", remote.url, "topic")
		if after := strings.Count(f.s.Logs(), logged); after != before+1 {
			t.Errorf("push over %s not stored: %d log lines %q, want 1; log:\n%s", remote.name, after-before, logged, f.s.Logs())
		}
	}
}
