package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/lablet/lablet/internal/repo"
)

// cloneRatio clones one repository project n times over HTTP, over SSH
// with a key of the bench user's, and from its bare directory over
// file://, and returns the medians. SSH's median is 0 when SSH could not
// be set up (the reason is logged).
func cloneRatio(ctx context.Context, l *loader, dataDir string, n int) (httpD, fileD, sshD time.Duration, err error) {
	p := l.sd.RepoProjects[0]
	dir, err := os.MkdirTemp(l.work, "clone-")
	if err != nil {
		return 0, 0, 0, err
	}
	defer os.RemoveAll(dir)
	bare := filepath.Join(dataDir, "repositories", repo.HashedPath(p.ID))
	sources := map[string]string{"http": l.gitURL(p, l.sd.BenchToken), "file": "file://" + bare}
	sshEnv, sshErr := l.sshCloneEnv(ctx, dir)
	if sshErr != nil {
		logf("clone over SSH unavailable: %v", sshErr)
	} else {
		sources["ssh"] = "ssh://git@" + l.srv.ssh + "/" + p.FullPath + ".git"
	}
	times := map[string][]time.Duration{}
	for i := 0; i < n; i++ {
		for _, kind := range []string{"http", "ssh", "file"} {
			src, ok := sources[kind]
			if !ok {
				continue
			}
			dst := filepath.Join(dir, fmt.Sprint(i))
			t0 := time.Now()
			cmd := exec.CommandContext(ctx, "git", "clone", "--quiet", "--bare", src, dst)
			cmd.Dir, cmd.Env = dir, append(os.Environ(), sshEnv...)
			if out, err := cmd.CombinedOutput(); err != nil {
				return 0, 0, 0, fmt.Errorf("git clone over %s: %w: %s", kind, err, out)
			}
			times[kind] = append(times[kind], time.Since(t0))
			_ = os.RemoveAll(dst)
		}
	}
	median := func(ds []time.Duration) time.Duration {
		if len(ds) == 0 {
			return 0
		}
		slices.Sort(ds)
		return ds[len(ds)/2]
	}
	return median(times["http"]), median(times["file"]), median(times["ssh"]), nil
}

// sshCloneEnv adds a fresh key to the bench user's SSH keys, writes its
// private half into dir and returns the environment that makes git use
// it against the server's SSH listener.
func (l *loader) sshCloneEnv(ctx context.Context, dir string) ([]string, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		return nil, err
	}
	body := mustJSON(map[string]any{"title": "bench clone", "key": string(ssh.MarshalAuthorizedKey(sp))})
	status, b, err := l.do(ctx, reqSpec{method: http.MethodPost, path: "/user/keys", body: body, ctype: "application/json"})
	if err != nil {
		return nil, err
	}
	if status != http.StatusCreated {
		return nil, fmt.Errorf("add SSH key: %d %s", status, b)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		return nil, err
	}
	keyPath := filepath.Join(dir, "id_ed25519")
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(block), 0o600); err != nil {
		return nil, err
	}
	return []string{"GIT_SSH_COMMAND=ssh -i " + keyPath + " -o IdentitiesOnly=yes -o StrictHostKeyChecking=no" +
		" -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR"}, nil
}
