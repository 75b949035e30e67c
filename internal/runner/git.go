package runner

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strconv"

	"github.com/lablet/lablet/internal/ci/protocol"
)

// repoCredentials splits git_info.repo_url into the URL without its
// user and password and the Authorization header they make.
func repoCredentials(repoURL string) (clean, auth string, err error) {
	u, err := url.Parse(repoURL)
	if err != nil {
		return "", "", fmt.Errorf("repo_url: %w", err)
	}
	if u.User != nil {
		pass, _ := u.User.Password()
		auth = "Basic " + base64.StdEncoding.EncodeToString([]byte(u.User.Username()+":"+pass))
		u.User = nil
	}
	return u.String(), auth, nil
}

// defaultRefspecs are what GitLab sends when a job names none.
func defaultRefspecs(g protocol.GitInfo) []string {
	if g.RefType == "tag" {
		return []string{"+refs/tags/" + g.Ref + ":refs/tags/" + g.Ref}
	}
	return []string{"+refs/heads/" + g.Ref + ":refs/remotes/origin/" + g.Ref}
}

// getSources makes dir a fresh checkout of the job's commit. The job
// token reaches git through its environment (GIT_CONFIG_*), scoped to the
// server's URL: it is never written to .git/config nor shown on a
// command line.
func getSources(ctx context.Context, job *protocol.JobResponse, dir string, baseEnv []string, out *jobTrace) error {
	g := job.GitInfo
	clean, auth, err := repoCredentials(g.RepoURL)
	if err != nil {
		return err
	}
	env := slices.Concat(baseEnv, []string{"GIT_TERMINAL_PROMPT=0", "GIT_ASKPASS=true"})
	if auth != "" {
		u, _ := url.Parse(clean)
		scope := (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/"}).String()
		env = append(env, "GIT_CONFIG_COUNT=1",
			"GIT_CONFIG_KEY_0=http."+scope+".extraHeader",
			"GIT_CONFIG_VALUE_0=Authorization: "+auth)
	}
	git := func(args ...string) error {
		cmd := exec.CommandContext(ctx, "git", args...)
		cmd.Dir = dir
		cmd.Env = env
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("git %s: %w", args[0], err)
		}
		return nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create build directory: %w", err)
	}
	if g.Depth > 0 {
		out.Printf("%sFetching changes with git depth set to %d...%s", ansiGreen, g.Depth, ansiReset)
	} else {
		out.Printf("%sFetching changes...%s", ansiGreen, ansiReset)
	}
	initArgs := []string{"init", "-q"}
	if g.RepoObjectFormat == "sha256" {
		initArgs = append(initArgs, "--object-format=sha256")
	}
	if err := git(initArgs...); err != nil {
		return err
	}
	out.Printf("%sCreated fresh repository.%s", ansiGreen, ansiReset)
	if err := git("remote", "add", "origin", clean); err != nil {
		return err
	}
	refspecs := g.Refspecs
	if len(refspecs) == 0 {
		refspecs = defaultRefspecs(g)
	}
	fetch := []string{"fetch", "origin", "--prune", "--quiet", "--no-recurse-submodules"}
	if g.Depth > 0 {
		fetch = append(fetch, "--depth", strconv.Itoa(g.Depth))
	}
	fetch = append(fetch, "--")
	if err := git(append(fetch, refspecs...)...); err != nil {
		return err
	}
	short := g.Sha
	if len(short) > 8 {
		short = short[:8]
	}
	out.Printf("%sChecking out %s as detached HEAD (ref is %s)...%s", ansiGreen, short, g.Ref, ansiReset)
	if err := git("-c", "advice.detachedHead=false", "checkout", "-f", "-q", g.Sha); err != nil {
		return err
	}
	out.Printf("%sSkipping Git submodules setup%s", ansiGreen, ansiReset)
	return nil
}
