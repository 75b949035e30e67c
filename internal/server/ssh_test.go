package server_test

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// sshFixture is the git fixture served over SSH too, with an OpenSSH key
// pair per user that needs one.
type sshFixture struct {
	*gitFixture
	port    string
	sshURL  string // the project's ssh_url_to_repo
	keysDir string
}

func newSSHFixture(t *testing.T) *sshFixture {
	t.Helper()
	for _, bin := range []string{"ssh", "ssh-keygen"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skip(bin + " not installed")
		}
	}
	f := &sshFixture{gitFixture: newGitFixture(t, labtest.WithSSH()), keysDir: t.TempDir()}
	_, port, err := net.SplitHostPort(f.s.Config.SSHListen)
	if err != nil {
		t.Fatal(err)
	}
	f.port = port
	p, _, err := f.s.Client(t, f.s.RootToken).Projects.GetProject(f.project.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.sshURL = p.SSHURLToRepo
	return f
}

// keyPair makes an ed25519 key pair with ssh-keygen and returns the
// private key's path and the public key's text.
func (f *sshFixture) keyPair(name string) (string, string) {
	f.t.Helper()
	path := filepath.Join(f.keysDir, name)
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path).CombinedOutput(); err != nil {
		f.t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	pub, err := os.ReadFile(path + ".pub")
	if err != nil {
		f.t.Fatal(err)
	}
	return path, strings.TrimSpace(string(pub))
}

// userKey gives u a new SSH key through the API and returns its private
// key's path.
func (f *sshFixture) userKey(u *labtest.User, opts *gitlab.AddSSHKeyOptions) string {
	f.t.Helper()
	path, pub := f.keyPair(u.Username + "-" + itoa(time.Now().UnixNano()))
	if opts == nil {
		opts = &gitlab.AddSSHKeyOptions{}
	}
	opts.Title, opts.Key = gitlab.Ptr("key"), gitlab.Ptr(pub)
	if _, _, err := f.s.Client(f.t, u.Token).Users.AddSSHKey(opts); err != nil {
		f.t.Fatalf("add key: %v", err)
	}
	return path
}

// as is the git environment that authenticates over SSH with key.
func (f *sshFixture) as(key string) *gitEnv {
	e := *f.gitEnv
	e.env = []string{"GIT_SSH_COMMAND=ssh -i " + key + " -o IdentitiesOnly=yes -o StrictHostKeyChecking=no" +
		" -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes"}
	return &e
}

// ssh runs the ssh client with key and a remote command (none: a shell).
func (f *sshFixture) ssh(key string, command ...string) (string, error) {
	args := append([]string{"-i", key, "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=no",
		"-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "BatchMode=yes", "-T", "-p", f.port,
		"git@127.0.0.1"}, command...)
	out, err := exec.Command("ssh", args...).CombinedOutput()
	return string(out), err
}

// TestSSHCloneAndPush: users' keys clone and push over SSH with the
// permission and protected-branch checks of HTTP, the push records the
// same events, protocol v2 passes through, and what gitlab-shell refuses
// is refused in its words.
func TestSSHCloneAndPush(t *testing.T) {
	f := newSSHFixture(t)
	if want := "ssh://git@127.0.0.1:" + f.port + "/team/app.git"; f.sshURL != want {
		t.Fatalf("ssh_url_to_repo = %q, want %q", f.sshURL, want)
	}
	devKey := f.userKey(f.dev, nil)
	dev := f.as(devKey)
	w := dev.clone(f.sshURL)
	if _, err := os.Stat(filepath.Join(w, "README.md")); err != nil {
		t.Fatalf("clone has no README: %v", err)
	}
	// The scp-like form and the ~ form name the same project.
	scp := f.as(devKey)
	scp.env[0] += " -p " + f.port
	scp.clone("git@127.0.0.1:team/app.git")
	dev.mustGit("", "ls-remote", "ssh://git@127.0.0.1:"+f.port+"/~team/app")

	dev.mustGit(w, "checkout", "-q", "-b", "topic")
	dev.commit(w, "a.txt", "a\n")
	dev.mustGit(w, "push", "-q", "origin", "topic")
	// main is protected for Maintainers.
	dev.mustGit(w, "checkout", "-q", "main")
	dev.commit(w, "b.txt", "b\n")
	dev.failGit("GitLab: You are not allowed to push code to protected branches on this project.", w, "push", "origin", "main")

	events, _, err := f.s.Client(t, f.s.RootToken).Events.ListProjectVisibleEvents(f.project.ID,
		&gitlab.ListProjectVisibleEventsOptions{Action: gitlab.Ptr(gitlab.EventTypeValue("pushed"))})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || events[0].ActionName != "pushed new" || events[0].Author.Username != "dev" ||
		events[0].PushData.Ref != "topic" || events[0].PushData.CommitTitle != "change a.txt" {
		t.Fatalf("push events = %+v", events)
	}

	// Protocol v2, seen in git's packet trace.
	v2 := f.as(devKey)
	v2.env = append(v2.env, "GIT_TRACE_PACKET=1")
	out := v2.mustGit("", "-c", "protocol.version=2", "ls-remote", f.sshURL)
	if !strings.Contains(out, "version 2") || !strings.Contains(out, "refs/heads/topic") {
		t.Fatalf("v2 ls-remote:\n%s", out)
	}

	// A stranger's key sees no private project.
	f.as(f.userKey(f.stranger, nil)).failGit("The project you were looking for could not be found or you don't have permission to view it.",
		"", "ls-remote", f.sshURL)
	// A reporter reads but does not push.
	rw := f.as(f.userKey(f.reporter, nil))
	rw.mustGit("", "ls-remote", f.sshURL)
	f.as(f.userKey(f.reporter, nil)).failGit("You are not allowed to push code to this project.", w, "push", f.sshURL, "topic:other")

	// gitlab-shell's greeting and refusals.
	if out, err := f.ssh(devKey); err != nil || strings.TrimSpace(out) != "Welcome to GitLab, @dev!" {
		t.Fatalf("greeting: %v %q", err, out)
	}
	if out, err := f.ssh(devKey, "rm", "-rf", "/"); err == nil || !strings.Contains(out, "remote: Disallowed command") {
		t.Fatalf("unknown command: %v %q", err, out)
	}
	if out, err := f.ssh(devKey, "git-upload-pack", "'../../etc'"); err == nil || !strings.Contains(out, "could not be found") {
		t.Fatalf("bad path: %v %q", err, out)
	}
	// An unknown key is refused by SSH itself.
	unknown, _ := f.keyPair("unknown")
	if out, err := f.ssh(unknown); err == nil || !strings.Contains(out, "Permission denied") {
		t.Fatalf("unknown key: %v %q", err, out)
	}
}

// TestSSHKeyRefusals: an expired key, a signing-only key and a blocked
// user's key let nobody in.
func TestSSHKeyRefusals(t *testing.T) {
	f := newSSHFixture(t)
	// client-go sends expires_at as a date: the API's time form here.
	expiring, pub := f.keyPair("expiring")
	r := f.s.Do(t, labtest.Request{Method: "POST", Path: "/user/keys", Token: f.dev.Token, JSON: map[string]any{
		"title": "soon", "key": pub, "expires_at": time.Now().UTC().Add(2 * time.Second).Format(time.RFC3339)}})
	if r.Status != 201 {
		t.Fatalf("add expiring key: %d %s", r.Status, r.Body)
	}
	if _, err := f.ssh(expiring); err != nil {
		t.Fatalf("key before expiry refused: %v", err)
	}
	time.Sleep(2500 * time.Millisecond)
	if out, err := f.ssh(expiring); err == nil || !strings.Contains(out, "Permission denied") {
		t.Fatalf("expired key: %v %q", err, out)
	}
	signing := f.userKey(f.dev, &gitlab.AddSSHKeyOptions{UsageType: gitlab.Ptr("signing")})
	if out, err := f.ssh(signing); err == nil || !strings.Contains(out, "Permission denied") {
		t.Fatalf("signing key: %v %q", err, out)
	}
	rita := f.userKey(f.reporter, nil)
	if err := f.s.Client(t, f.s.RootToken).Users.BlockUser(f.reporter.ID); err != nil {
		t.Fatal(err)
	}
	if out, err := f.ssh(rita); err == nil || !strings.Contains(out, "Permission denied") {
		t.Fatalf("blocked user's key: %v %q", err, out)
	}
}

// TestSSHDeployKeys: a deploy key reads its project only; it pushes with
// can_push, to unprotected branches.
func TestSSHDeployKeys(t *testing.T) {
	f := newSSHFixture(t)
	key, pub := f.keyPair("deploy")
	mc := f.s.Client(t, f.maint.Token)
	dk, _, err := mc.DeployKeys.AddDeployKey(f.project.ID, &gitlab.AddDeployKeyOptions{Title: gitlab.Ptr("ci"), Key: gitlab.Ptr(pub)})
	if err != nil {
		t.Fatal(err)
	}
	d := f.as(key)
	w := d.clone(f.sshURL)
	d.mustGit(w, "checkout", "-q", "-b", "deploy")
	d.commit(w, "c.txt", "c\n")
	d.failGit("This deploy key does not have write access to this project.", w, "push", "origin", "deploy")
	if out, err := f.ssh(key); err != nil || strings.TrimSpace(out) != "Welcome to GitLab, Anonymous!" {
		t.Fatalf("greeting: %v %q", err, out)
	}

	if _, _, err := mc.DeployKeys.UpdateDeployKey(f.project.ID, dk.ID, &gitlab.UpdateDeployKeyOptions{CanPush: gitlab.Ptr(true)}); err != nil {
		t.Fatal(err)
	}
	d.mustGit(w, "push", "-q", "origin", "deploy")
	d.mustGit(w, "checkout", "-q", "main")
	d.commit(w, "d.txt", "d\n")
	d.failGit("You are not allowed to push code to protected branches on this project.", w, "push", "origin", "main")

	// Another private project is not found for the key.
	other, _, err := f.s.Client(t, f.s.RootToken).Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Other"),
		InitializeWithReadme: gitlab.Ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	d.failGit("The project you were looking for could not be found", "", "ls-remote", other.SSHURLToRepo)
}
