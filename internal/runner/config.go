// Package runner is lablet's built-in CI runner: it registers with a
// GitLab-compatible server, asks it for jobs and runs them with bash, as
// GitLab Runner's shell executor does. It speaks the runner protocol over
// HTTP only (internal/ci/protocol holds its bodies); its config file has
// GitLab Runner's config.toml shape.
package runner

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/BurntSushi/toml"
)

// DefaultConfigPath is where register writes and run reads the config.
const DefaultConfigPath = "lablet-runner.toml"

// Defaults GitLab Runner uses.
const (
	defaultCheckInterval = 3 // seconds
	defaultOutputLimit   = 4096
	defaultExecutor      = "shell"
	defaultShell         = "bash"
)

// Config is the runner's configuration: GitLab Runner's config.toml.
type Config struct {
	Concurrent    int            `toml:"concurrent"`
	CheckInterval int            `toml:"check_interval"` // seconds between polls that found no job
	Runners       []RunnerConfig `toml:"runners"`

	// What the file does not carry: set by the command or a test.
	Version      string        `toml:"-"` // reported in the runner's info
	PollInterval time.Duration `toml:"-"` // overrides CheckInterval when set
	HTTPClient   *http.Client  `toml:"-"`
}

// RunnerConfig is one [[runners]] entry.
type RunnerConfig struct {
	Name            string    `toml:"name"`
	URL             string    `toml:"url"`
	ID              int64     `toml:"id,omitzero"`
	Token           string    `toml:"token"`
	TokenObtainedAt time.Time `toml:"token_obtained_at,omitempty"`
	TokenExpiresAt  time.Time `toml:"token_expires_at,omitempty"`
	Executor        string    `toml:"executor"`
	Shell           string    `toml:"shell,omitempty"`
	BuildsDir       string    `toml:"builds_dir"`
	CacheDir        string    `toml:"cache_dir"`
	OutputLimit     int       `toml:"output_limit,omitzero"` // KiB of trace kept
}

// LoadConfig reads a config file and fills in GitLab Runner's defaults.
func LoadConfig(path string) (Config, error) {
	var c Config
	md, err := toml.DecodeFile(path, &c)
	if err != nil {
		return Config{}, fmt.Errorf("read runner config %s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		// GitLab Runner's config has many more settings; say which are ignored.
		return c, &IgnoredKeysError{Path: path, Keys: fmt.Sprint(und)}
	}
	return c, nil
}

// IgnoredKeysError reports settings the built-in runner does not know; the
// config it comes with is usable.
type IgnoredKeysError struct{ Path, Keys string }

func (e *IgnoredKeysError) Error() string {
	return fmt.Sprintf("runner config %s: ignoring unknown settings %s", e.Path, e.Keys)
}

// withDefaults fills what a config leaves out and checks what it needs.
func (c Config) withDefaults() (Config, error) {
	if c.Concurrent <= 0 {
		c.Concurrent = 1
	}
	if c.CheckInterval <= 0 {
		c.CheckInterval = defaultCheckInterval
	}
	if c.PollInterval <= 0 {
		c.PollInterval = time.Duration(c.CheckInterval) * time.Second
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{}
	}
	if c.Version == "" {
		c.Version = "dev"
	}
	if len(c.Runners) == 0 {
		return c, errors.New("runner config has no [[runners]]; run \"lablet runner register\" first")
	}
	runners := make([]RunnerConfig, len(c.Runners))
	for i, r := range c.Runners {
		if r.URL == "" || r.Token == "" {
			return c, fmt.Errorf("runner %q: url and token are required", r.Name)
		}
		if r.Executor == "" {
			r.Executor = defaultExecutor
		}
		if r.Executor != defaultExecutor {
			return c, fmt.Errorf("runner %q: executor %q is not supported; the built-in runner has only %q", r.Name, r.Executor, defaultExecutor)
		}
		if r.Shell == "" {
			r.Shell = defaultShell
		}
		if r.Shell != defaultShell {
			return c, fmt.Errorf("runner %q: shell %q is not supported; the built-in runner has only %q", r.Name, r.Shell, defaultShell)
		}
		var err error
		if r.BuildsDir, err = absDir(r.BuildsDir, "builds"); err != nil {
			return c, err
		}
		if r.CacheDir, err = absDir(r.CacheDir, "cache"); err != nil {
			return c, err
		}
		if r.OutputLimit <= 0 {
			r.OutputLimit = defaultOutputLimit
		}
		runners[i] = r
	}
	c.Runners = runners
	return c, nil
}

func absDir(dir, def string) (string, error) {
	if dir == "" {
		dir = def
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("runner directory %s: %w", dir, err)
	}
	return abs, nil
}

// writeConfig writes c to path, 0600, replacing the file whole: the
// config holds the runner's token.
func writeConfig(path string, c Config) error {
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(c); err != nil {
		return fmt.Errorf("encode runner config: %w", err)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".lablet-runner-*.toml")
	if err != nil {
		return fmt.Errorf("write runner config: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename there is nothing to remove
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write runner config: %w", err)
	}
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("write runner config: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write runner config: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write runner config: %w", err)
	}
	return nil
}

// readConfigIfAny reads path, or answers an empty config when there is
// no file yet.
func readConfigIfAny(path string) (Config, error) {
	c, err := LoadConfig(path)
	var ignored *IgnoredKeysError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return Config{Concurrent: 1, CheckInterval: defaultCheckInterval}, nil
	case errors.As(err, &ignored):
		return Config{}, fmt.Errorf("%w; register would drop them, edit the file by hand", err)
	}
	return c, err
}
