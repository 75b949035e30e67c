package server_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/lablet/lablet/internal/labtest"
)

// TestSeedWalkthrough runs seeds/002's curl + jq + git walkthrough
// (testdata/seed_002_walkthrough.sh) against a real server.
func TestSeedWalkthrough(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "jq", "git", "base64"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed (.ci/run installs it): %v", tool, err)
		}
	}
	s := labtest.Start(t)
	home := t.TempDir()
	cmd := exec.Command("bash", "testdata/seed_002_walkthrough.sh")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "GIT_CONFIG_NOSYSTEM=1",
		"GIT_TERMINAL_PROMPT=0", "LC_ALL=C", "GIT_AUTHOR_NAME=Seed", "GIT_AUTHOR_EMAIL=seed@example.com",
		"GIT_COMMITTER_NAME=Seed", "GIT_COMMITTER_EMAIL=seed@example.com", "TMPDIR=" + t.TempDir(),
		"GITLAB_SERVER=" + s.URL, "GITLAB_TOKEN=" + s.RootToken}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "walkthrough ok") {
		t.Fatalf("walkthrough: %v\n%s", err, out)
	}
}
