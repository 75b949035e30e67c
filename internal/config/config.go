// Package config reads lablet's settings from flags and their environment
// twins. Flags win over the environment; the environment over defaults.
package config

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Config holds the settings of a lablet process.
type Config struct {
	Listen      string
	DataDir     string
	DatabaseURL string
	// ExternalURL is the base URL clients use (no trailing slash); empty
	// means derive it from each request's Host.
	ExternalURL string
	// RootPassword, when set, is root's password on first start.
	RootPassword string
	// ImpersonationEnabled lets impersonation tokens authenticate.
	ImpersonationEnabled bool
	// AdminMode, when on, makes admin powers through a token require the
	// admin_mode scope, as GitLab's Admin Mode setting does.
	AdminMode bool
	// LogLevel is debug, info, warn or error.
	LogLevel string
	// MaxFileSize bounds, in bytes, a file written through the REST API
	// (files and commits); 0 means the API's default (10 MiB).
	MaxFileSize int64
	// OAuthPasswordGrant enables OAuth's resource owner password
	// credentials grant (LABLET_OAUTH_PASSWORD_GRANT).
	OAuthPasswordGrant bool
	// PprofListen, when set, serves net/http/pprof on this separate
	// address (LABLET_PPROF_LISTEN); for profiling, keep it on loopback.
	PprofListen string
}

// Default returns the settings used when nothing is given.
func Default() Config {
	return Config{
		Listen:               "127.0.0.1:8080",
		DataDir:              "./lablet-data",
		ImpersonationEnabled: true,
		OAuthPasswordGrant:   true,
		LogLevel:             "info",
	}
}

// FromEnv overlays LABLET_* environment variables on c, using getenv.
func (c *Config) FromEnv(getenv func(string) string) error {
	str := func(name string, dst *string) {
		if v := getenv(name); v != "" {
			*dst = v
		}
	}
	boolean := func(name string, dst *bool) error {
		if v := getenv(name); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("config: %s: %q is not a boolean", name, v)
			}
			*dst = b
		}
		return nil
	}
	str("LABLET_LISTEN", &c.Listen)
	str("LABLET_DATA_DIR", &c.DataDir)
	str("LABLET_DATABASE_URL", &c.DatabaseURL)
	str("LABLET_EXTERNAL_URL", &c.ExternalURL)
	str("LABLET_ROOT_PASSWORD", &c.RootPassword)
	str("LABLET_LOG_LEVEL", &c.LogLevel)
	str("LABLET_PPROF_LISTEN", &c.PprofListen)
	if v := getenv("LABLET_MAX_FILE_SIZE"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("config: LABLET_MAX_FILE_SIZE: %q is not a byte count", v)
		}
		c.MaxFileSize = n
	}
	if err := boolean("LABLET_OAUTH_PASSWORD_GRANT", &c.OAuthPasswordGrant); err != nil {
		return err
	}
	if err := boolean("LABLET_IMPERSONATION_ENABLED", &c.ImpersonationEnabled); err != nil {
		return err
	}
	return boolean("LABLET_ADMIN_MODE", &c.AdminMode)
}

// RegisterStorageFlags adds the flags every command that opens the data
// store shares.
func (c *Config) RegisterStorageFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "data directory (LABLET_DATA_DIR)")
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "empty for SQLite in the data dir, or postgres://… (LABLET_DATABASE_URL)")
}

// RegisterServeFlags adds the flags of `lablet serve`.
func (c *Config) RegisterServeFlags(fs *flag.FlagSet) {
	c.RegisterStorageFlags(fs)
	fs.StringVar(&c.Listen, "listen", c.Listen, "address to listen on (LABLET_LISTEN)")
	fs.StringVar(&c.ExternalURL, "external-url", c.ExternalURL, "base URL clients use (LABLET_EXTERNAL_URL)")
}

// Load builds a Config from defaults, the environment and then args.
func Load(fs *flag.FlagSet, args []string, register func(*Config, *flag.FlagSet)) (Config, error) {
	c := Default()
	if err := c.FromEnv(os.Getenv); err != nil {
		return c, err
	}
	register(&c, fs)
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	return c, c.Validate()
}

// Validate checks the settings, normalises the external URL and makes
// every path absolute. It is idempotent; server.New runs it too.
func (c *Config) Validate() error {
	if c.ExternalURL != "" {
		u, err := url.Parse(c.ExternalURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("config: external URL %q must be http(s)://host[:port][/path]", c.ExternalURL)
		}
		c.ExternalURL = strings.TrimSuffix(c.ExternalURL, "/")
	}
	if c.DataDir == "" {
		return fmt.Errorf("config: data dir must not be empty")
	}
	// Relative paths are resolved once, against the working directory at
	// start: git runs inside each repository and would read a relative
	// hooks path against it, so no relative path may leave this package.
	abs, err := filepath.Abs(c.DataDir)
	if err != nil {
		return fmt.Errorf("config: data dir %q: %w", c.DataDir, err)
	}
	c.DataDir = abs
	if p, ok := strings.CutPrefix(c.DatabaseURL, "sqlite:"); ok && p != "" {
		if p, err = filepath.Abs(p); err != nil {
			return fmt.Errorf("config: database path %q: %w", c.DatabaseURL, err)
		}
		c.DatabaseURL = "sqlite:" + p
	}
	return nil
}
