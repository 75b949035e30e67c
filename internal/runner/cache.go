package runner

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"

	"github.com/lablet/lablet/internal/ci/protocol"
)

// Cache policies.
const (
	policyPull     = "pull"
	policyPush     = "push"
	policyPullPush = "pull-push"
)

// cacheFile is where a project's cache under key lives on this runner:
// cache_dir/<project id>/<key>/cache.zip.
func cacheFile(cacheDir string, projectID int64, key string) (string, error) {
	if key == "" {
		key = "default"
	}
	esc := url.PathEscape(key)
	if esc == "." || esc == ".." {
		return "", fmt.Errorf("cache key %q is not a usable name", key)
	}
	return filepath.Join(cacheDir, strconv.FormatInt(projectID, 10), esc, "cache.zip"), nil
}

// restoreCaches unpacks, for each cache the job pulls, the first archive
// found among its key and fallback keys. A missing or broken cache is a
// warning, never a failure, as in GitLab Runner.
func restoreCaches(job *protocol.JobResponse, cacheDir, dir string, vars map[string]string, out *jobTrace) {
	for _, c := range job.Cache {
		if c.Policy == policyPush {
			continue
		}
		keys := append([]string{c.Key}, c.FallbackKeys...)
		if fb := vars["CACHE_FALLBACK_KEY"]; fb != "" {
			keys = append(keys, fb)
		}
		restored := false
		for _, key := range keys {
			file, err := cacheFile(cacheDir, job.JobInfo.ProjectID, key)
			if err != nil {
				out.Printf("%sWARNING: %v%s", ansiYellow, err, ansiReset)
				continue
			}
			if _, err := os.Stat(file); err != nil {
				continue
			}
			out.Printf("%sChecking cache for %s...%s", ansiGreen, key, ansiReset)
			if err := extractZip(file, dir); err != nil {
				out.Printf("%sWARNING: Failed to extract cache: %v%s", ansiYellow, err, ansiReset)
				continue
			}
			out.Printf("%sSuccessfully extracted cache%s", ansiGreen, ansiReset)
			restored = true
			break
		}
		if !restored {
			out.Printf("%sWARNING: No cache found for %s; continuing without it%s", ansiYellow, orDefault(c.Key), ansiReset)
		}
	}
}

// archiveCaches saves, for each cache the job pushes and whose when
// matches the outcome, the selected files under its key. It writes a
// new archive and renames it over the old, so a reader never sees half.
func archiveCaches(ctx context.Context, job *protocol.JobResponse, cacheDir, dir string, failed bool, out *jobTrace) {
	for _, c := range job.Cache {
		if c.Policy == policyPull || !whenMatches(c.When, failed) {
			continue
		}
		key := orDefault(c.Key)
		out.Printf("%sCreating cache %s...%s", ansiGreen, key, ansiReset)
		if err := archiveCache(ctx, job.JobInfo.ProjectID, c, cacheDir, dir, out); err != nil {
			out.Printf("%sWARNING: Failed to create cache: %v%s", ansiYellow, err, ansiReset)
			continue
		}
	}
}

func archiveCache(ctx context.Context, projectID int64, c protocol.Cache, cacheDir, dir string, out *jobTrace) error {
	file, err := cacheFile(cacheDir, projectID, c.Key)
	if err != nil {
		return err
	}
	include, warnings := compilePatterns(c.Paths)
	names, missing, err := selectFiles(ctx, dir, fileSet{include: include, untracked: c.Untracked})
	for _, w := range append(warnings, missing...) {
		out.Printf("%sWARNING: %s%s", ansiYellow, w, ansiReset)
	}
	if err != nil {
		return err
	}
	if len(names) == 0 {
		out.Printf("%sWARNING: No files to cache%s", ansiYellow, ansiReset)
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return fmt.Errorf("create cache directory: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".cache-*.zip")
	if err != nil {
		return fmt.Errorf("create cache: %w", err)
	}
	defer os.Remove(tmp.Name()) // nothing left after the rename
	err = writeZip(tmp, dir, names)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return fmt.Errorf("create cache: %w", err)
	}
	out.Printf("%sCreated cache%s", ansiGreen, ansiReset)
	return nil
}

func orDefault(key string) string {
	if key == "" {
		return "default"
	}
	return key
}
