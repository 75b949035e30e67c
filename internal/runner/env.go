package runner

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"

	"github.com/lablet/lablet/internal/ci/protocol"
)

// validKey: a variable name bash can hold; others are skipped, as an
// export of them would fail.
var validKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// jobVariables is the job's environment beyond the runner's own: the
// variables the server sent, expanded unless raw, file-type ones written
// to tmpDir (0600) and set to their path, and those the runner defines
// (they win: CI_PROJECT_DIR is where the runner put the project).
func jobVariables(job *protocol.JobResponse, rc RunnerConfig, dir, tmpDir string, worker int, version string) (map[string]string, error) {
	raw := map[string]string{}
	for _, v := range job.Variables {
		raw[v.Key] = v.Value
	}
	vars := map[string]string{}
	for _, v := range job.Variables {
		if !validKey.MatchString(v.Key) {
			continue
		}
		value := v.Value
		if !v.Raw {
			value = os.Expand(value, func(name string) string {
				if val, ok := raw[name]; ok {
					return val
				}
				return "$" + name // not a job variable: bash may know it
			})
		}
		if v.File {
			path := filepath.Join(tmpDir, v.Key)
			if err := os.WriteFile(path, []byte(value), 0o600); err != nil {
				return nil, fmt.Errorf("write file variable %s: %w", v.Key, err)
			}
			value = path
		}
		vars[v.Key] = value
	}
	for k, v := range map[string]string{
		"CI_BUILDS_DIR":             rc.BuildsDir,
		"CI_PROJECT_DIR":            dir,
		"CI_CONCURRENT_ID":          strconv.Itoa(worker),
		"CI_CONCURRENT_PROJECT_ID":  strconv.Itoa(worker),
		"CI_SERVER":                 "yes",
		"CI_SHARED_ENVIRONMENT":     "true",
		"CI_RUNNER_EXECUTABLE_ARCH": runtime.GOOS + "/" + runtime.GOARCH,
		"CI_RUNNER_VERSION":         version,
	} {
		vars[k] = v
	}
	return vars, nil
}

// stepEnv is the runner's environment with the job's variables on top
// and CI_JOB_STATUS.
func (j *job) stepEnv(status string) []string {
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		for i := range len(kv) {
			if kv[i] == '=' {
				_, ok := j.vars[kv[:i]]
				return ok || kv[:i] == "CI_JOB_STATUS"
			}
		}
		return false
	})
	keys := make([]string, 0, len(j.vars))
	for k := range j.vars {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		env = append(env, k+"="+j.vars[k])
	}
	return append(env, "CI_JOB_STATUS="+status)
}

// cleanURL is a URL without its user and password, for logs.
func cleanURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	u.User = nil
	return u.String()
}
