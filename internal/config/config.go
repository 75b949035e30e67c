// Package config reads lablet's settings from flags and their environment
// twins. Flags win over the environment; the environment over defaults.
// The table of settings (settings.go) is the one description of them: the
// flags, the environment variables, the help text and the README's table
// are all made from it.
package config

import (
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config holds the settings of a lablet process.
type Config struct {
	Listen string
	// DataDir holds the SQLite database, the repositories and the keys;
	// absolute once validated.
	DataDir string
	// RepositoriesDir holds the git repositories; empty means
	// <DataDir>/repositories. Absolute once validated.
	RepositoriesDir string
	DatabaseURL     string
	// DatabaseMaxConns bounds the PostgreSQL connections an instance
	// opens; 0 means store.DefaultPostgresConns (4 per CPU, 8 to 32).
	DatabaseMaxConns int
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
	// MaxAttachmentSize bounds, in bytes, a file uploaded for Markdown;
	// 0 means GitLab's default (100 MiB).
	MaxAttachmentSize int64
	// OAuthPasswordGrant enables OAuth's resource owner password
	// credentials grant.
	OAuthPasswordGrant bool
	// PprofListen, when set, serves net/http/pprof on this separate
	// address; for profiling, keep it on loopback.
	PprofListen string
	// SSHListen, when set, serves git over SSH on this address; the host
	// key is kept in the data dir.
	SSHListen string
	// CachesOff disables every in-memory cache: the answers must not
	// change, so a difference between the modes is a cache bug.
	CachesOff bool
	// OAuthRateLimit is how many OAuth dynamic client registrations and
	// device authorizations one client address may make a minute; 0 means
	// no limit.
	OAuthRateLimit int
	// Gravatar makes users' avatars Gravatar's, GitLab's default; off,
	// lablet draws and serves identicons itself, which works offline and
	// tells no third party who looks at whom.
	Gravatar bool
	// Runner starts one built-in CI runner (shell executor) in the
	// server's process, talking to the server over HTTP.
	Runner bool
	// MaxArtifactsSize bounds, in MB, one artifacts file a job uploads;
	// 0 means GitLab's default (100 MB).
	MaxArtifactsSize int64
	// MaxGenericPackageSize bounds, in bytes, one generic package file;
	// 0 means GitLab's default, 5 GiB.
	MaxGenericPackageSize int64
	// SMTPAddress is the SMTP relay (host:port) mail goes through; empty
	// means no mail is sent.
	SMTPAddress string
	// SMTPFrom is mail's sender address; empty means gitlab@<host> of the
	// external URL.
	SMTPFrom string
	// SMTPUsername and SMTPPassword, when set, authenticate to the relay.
	SMTPUsername, SMTPPassword string
	// SMTPTLS speaks TLS to the relay from the first byte (SMTPS).
	SMTPTLS bool
	// SMTPCAFile names PEM certificates the relay's must chain to
	// (SMTPRootCAs reads them).
	SMTPCAFile string
	// WebHookRetryDelay is how long a failed webhook delivery waits for
	// its first retry; each next retry waits four times longer.
	WebHookRetryDelay time.Duration
	// GitAuthBan turns on git over HTTP's failed-authentication ban:
	// GitAuthBanMaxRetry failures from one address within
	// GitAuthBanFindTime ban it for GitAuthBanTime.
	GitAuthBan         bool
	GitAuthBanMaxRetry int64
	GitAuthBanFindTime time.Duration
	GitAuthBanTime     time.Duration
	// ObjectStoreURL, when set, keeps blobs in an S3-compatible bucket
	// (s3://[ACCESS:SECRET@]host[:port]/bucket[/prefix][?region=&secure=])
	// instead of <data dir>/blobs; ObjectStoreAccessKey and
	// ObjectStoreSecretKey, from the environment, win over the URL's.
	ObjectStoreURL                             string
	ObjectStoreAccessKey, ObjectStoreSecretKey string
	// ObjectStoreProxyDownload streams LFS objects from the object store
	// through lablet; off, their downloads redirect to presigned URLs.
	ObjectStoreProxyDownload bool
}

// Default returns the settings used when nothing is given.
func Default() Config {
	return Config{
		Listen:               "127.0.0.1:8080",
		DataDir:              "./lablet-data",
		ImpersonationEnabled: true,
		OAuthPasswordGrant:   true,
		LogLevel:             "info",
		OAuthRateLimit:       10,
		WebHookRetryDelay:    10 * time.Second,
		GitAuthBanMaxRetry:   10,
		GitAuthBanFindTime:   time.Minute,
		GitAuthBanTime:       time.Hour,
		// Downloads go through lablet, as GitLab's proxy_download.
		ObjectStoreProxyDownload: true,
	}
}

// ValueError is a setting given a value it does not accept. Its text names
// the setting as it was given (flag or environment variable), the value
// and what is accepted, on one line.
type ValueError struct {
	Name     string // "--log-level" or "LABLET_LOG_LEVEL"
	Value    string // as shown: passwords in URLs are redacted
	Accepted string
}

func (e *ValueError) Error() string {
	return fmt.Sprintf("invalid %s %q: want %s", e.Name, e.Value, e.Accepted)
}

// Load builds a Config from the defaults, the environment (getenv) and then
// args, for the settings of scope. The settings' flags are added to fs,
// which may already hold a command's own flags; fs's output and usage are
// left to the caller. It returns flag.ErrHelp when args ask for help.
func Load(fs *flag.FlagSet, args []string, getenv func(string) string, scope Scope) (Config, error) {
	c, rest, err := LoadArgs(fs, args, getenv, scope)
	if err == nil && len(rest) > 0 {
		err = fmt.Errorf("unexpected argument %q", rest[0])
	}
	return c, err
}

// LoadArgs is Load for commands that take arguments besides flags
// (lablet backup verify FILE): it returns them, in order, whether they
// come before, among or after the flags.
func LoadArgs(fs *flag.FlagSet, args []string, getenv func(string) string, scope Scope) (Config, []string, error) {
	c := Default()
	var flags []*flagValue
	for i := range settings {
		s := &settings[i]
		if !s.in(scope) || s.set == nil {
			continue
		}
		if v := getenv(s.Env); v != "" {
			if err := s.apply(&c, s.Env, v); err != nil {
				return c, nil, err
			}
		}
		if s.Flag != "" {
			fv := &flagValue{s: s}
			fs.Var(fv, s.Flag, s.Usage)
			flags = append(flags, fv)
		}
	}
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return c, nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
	// In the table's order, so that errors are reported alike every time.
	for _, fv := range flags {
		if fv.given {
			if err := fv.s.apply(&c, "--"+fv.s.Flag, fv.raw); err != nil {
				return c, nil, err
			}
		}
	}
	return c, rest, c.Validate()
}

// flagValue holds a flag's text until Load applies it after the
// environment, so that its errors read like the environment's.
type flagValue struct {
	s     *Setting
	raw   string
	given bool
}

func (v *flagValue) String() string {
	if v == nil || v.s == nil {
		return ""
	}
	return v.s.Default
}

func (v *flagValue) Set(s string) error {
	v.raw, v.given = s, true
	return nil
}

// IsBoolFlag lets boolean settings be given as a bare --flag.
func (v *flagValue) IsBoolFlag() bool { return v.s != nil && v.s.boolean }

// Validate checks settings set in code (tests, tools) as Load checks them,
// makes every path absolute and normalises the external URL. It is
// idempotent; server.New runs it too.
func (c *Config) Validate() error {
	if c.DataDir == "" {
		return &ValueError{Name: "data dir", Value: "", Accepted: "a directory"}
	}
	// Relative paths are resolved once, against the working directory at
	// start: git runs inside each repository and would read a relative
	// hooks path against it, so no relative path may leave this package.
	abs, err := filepath.Abs(c.DataDir)
	if err != nil {
		return fmt.Errorf("config: data dir %q: %w", c.DataDir, err)
	}
	c.DataDir = abs
	if c.RepositoriesDir == "" {
		c.RepositoriesDir = filepath.Join(c.DataDir, "repositories")
	}
	if c.RepositoriesDir, err = filepath.Abs(c.RepositoriesDir); err != nil {
		return fmt.Errorf("config: repositories dir %q: %w", c.RepositoriesDir, err)
	}
	for _, check := range []struct {
		name string
		fn   func(*Config, string) error
		val  string
	}{
		{"listen address", parseListen, c.Listen},
		{"database URL", parseDatabaseURL, c.DatabaseURL},
		{"external URL", parseExternalURL, c.ExternalURL},
		{"log level", parseLogLevel, c.LogLevel},
		{"pprof address", parsePprofListen, c.PprofListen},
		{"SMTP address", parseSMTPAddress, c.SMTPAddress},
		{"SMTP from", parseSMTPFrom, c.SMTPFrom},
		{"object store URL", parseObjectStoreURL, c.ObjectStoreURL},
	} {
		if err := check.fn(c, check.val); err != nil {
			var ae acceptedError
			if errors.As(err, &ae) {
				return &ValueError{Name: check.name, Value: shown(check.val), Accepted: string(ae)}
			}
			return err
		}
	}
	if c.MaxFileSize < 0 {
		return &ValueError{Name: "max file size", Value: strconv.FormatInt(c.MaxFileSize, 10), Accepted: acceptedByteCount}
	}
	if c.MaxAttachmentSize < 0 {
		return &ValueError{Name: "max attachment size", Value: strconv.FormatInt(c.MaxAttachmentSize, 10), Accepted: acceptedAttachmentSize}
	}
	return nil
}

// acceptedError is a parser's refusal: what it accepts.
type acceptedError string

func (e acceptedError) Error() string { return "want " + string(e) }

func parseListen(c *Config, v string) error {
	if !validAddr(v) {
		return acceptedError("host:port, e.g. 127.0.0.1:8080 or :8080")
	}
	c.Listen = v
	return nil
}

func parseSSHListen(c *Config, v string) error {
	if v != "" && !validAddr(v) {
		return acceptedError("empty, or host:port, e.g. :2222 or 0.0.0.0:22")
	}
	c.SSHListen = v
	return nil
}

func parsePprofListen(c *Config, v string) error {
	if v != "" && !validAddr(v) {
		return acceptedError("empty, or host:port on loopback, e.g. 127.0.0.1:6060")
	}
	c.PprofListen = v
	return nil
}

func validAddr(v string) bool {
	_, port, err := net.SplitHostPort(v)
	if err != nil {
		return false
	}
	n, err := strconv.ParseUint(port, 10, 16)
	return err == nil && n <= 65535
}

func parseDataDir(c *Config, v string) error {
	c.DataDir = v // Validate makes it absolute
	return nil
}

func parseRepositoriesDir(c *Config, v string) error {
	c.RepositoriesDir = v // Validate makes it absolute, or the data dir's
	return nil
}

const acceptedDatabaseURL = "empty for SQLite in the data dir, or postgres://user@host:5432/database for PostgreSQL"

func parseDatabaseURL(c *Config, v string) error {
	switch {
	case v == "":
	case strings.HasPrefix(v, "sqlite:"):
		// A SQLite file elsewhere than the data dir (kept for tools);
		// resolved like the data dir.
		p := strings.TrimPrefix(v, "sqlite:")
		if p == "" {
			return acceptedError(acceptedDatabaseURL)
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			return fmt.Errorf("config: database path %q: %w", p, err)
		}
		v = "sqlite:" + abs
	case strings.HasPrefix(v, "postgres://") || strings.HasPrefix(v, "postgresql://"):
		if u, err := url.Parse(v); err != nil || u.Host == "" {
			return acceptedError(acceptedDatabaseURL)
		}
	default:
		return acceptedError(acceptedDatabaseURL)
	}
	c.DatabaseURL = v
	return nil
}

func parseExternalURL(c *Config, v string) error {
	if v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return acceptedError("empty, or http(s)://host[:port][/path]")
		}
		v = strings.TrimSuffix(v, "/")
	}
	c.ExternalURL = v
	return nil
}

func parseRootPassword(c *Config, v string) error {
	c.RootPassword = v
	return nil
}

// LogLevels are the accepted log levels, least severe first.
var LogLevels = []string{"debug", "info", "warn", "error"}

func parseLogLevel(c *Config, v string) error {
	for _, l := range LogLevels {
		if strings.EqualFold(v, l) {
			c.LogLevel = l
			return nil
		}
	}
	return acceptedError(strings.Join(LogLevels, ", "))
}

func parseSMTPAddress(c *Config, v string) error {
	if v != "" && !validAddr(v) {
		return acceptedError("empty, or host:port, e.g. 127.0.0.1:25")
	}
	c.SMTPAddress = v
	return nil
}

func parseSMTPFrom(c *Config, v string) error {
	if v != "" {
		a, err := mail.ParseAddress(v)
		if err != nil || a.Name != "" {
			return acceptedError("empty, or a bare address, e.g. gitlab@example.com")
		}
		v = a.Address
	}
	c.SMTPFrom = v
	return nil
}

func parseSMTPCAFile(c *Config, v string) error {
	if v != "" {
		if _, refused := certPool(v); refused != "" {
			return refused
		}
	}
	c.SMTPCAFile = v
	return nil
}

// SMTPRootCAs are the certificates of SMTPCAFile; nil without one (the
// system's then).
func (c *Config) SMTPRootCAs() (*x509.CertPool, error) {
	if c.SMTPCAFile == "" {
		return nil, nil
	}
	pool, refused := certPool(c.SMTPCAFile)
	if refused != "" {
		return nil, &ValueError{Name: "SMTP CA file", Value: c.SMTPCAFile, Accepted: string(refused)}
	}
	return pool, nil
}

// certPool reads PEM certificates; the file may change after start, so a
// read at use can fail where the one at parse did not.
func certPool(path string) (*x509.CertPool, acceptedError) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, "empty, or a readable file of PEM certificates"
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, "empty, or a file holding at least one PEM certificate"
	}
	return pool, ""
}

// MailFrom is the sender address of mail: SMTPFrom, else gitlab@ and the
// external URL's host, as GitLab's gitlab.email_from defaults.
func (c *Config) MailFrom() string {
	if c.SMTPFrom != "" {
		return c.SMTPFrom
	}
	host := "localhost"
	if u, err := url.Parse(c.ExternalURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return "gitlab@" + host
}

func parseCaches(c *Config, v string) error {
	switch strings.ToLower(v) {
	case "on":
		c.CachesOff = false
	case "off":
		c.CachesOff = true
	default:
		return acceptedError("on, off")
	}
	return nil
}

const acceptedByteCount = "a byte count, 0 or more (0: 10 MiB)"

func parseMaxFileSize(c *Config, v string) error {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return acceptedError(acceptedByteCount)
	}
	c.MaxFileSize = n
	return nil
}

const acceptedArtifactsSize = "a size in MB, 0 or more (0: 100 MB)"

func parseMaxArtifactsSize(c *Config, v string) error {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || n > 1<<20 {
		return acceptedError(acceptedArtifactsSize)
	}
	c.MaxArtifactsSize = n
	return nil
}

const acceptedRetryDelay = "a duration from 1ms to 1h (10s, 500ms)"

func parseWebHookRetryDelay(c *Config, v string) error {
	d, err := time.ParseDuration(v)
	if err != nil || d < time.Millisecond || d > time.Hour {
		return acceptedError(acceptedRetryDelay)
	}
	c.WebHookRetryDelay = d
	return nil
}

const acceptedAttachmentSize = "a byte count, 0 or more (0: 100 MiB)"

func parseMaxAttachmentSize(c *Config, v string) error {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return acceptedError(acceptedAttachmentSize)
	}
	c.MaxAttachmentSize = n
	return nil
}

func parseMaxGenericPackageSize(c *Config, v string) error {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return acceptedError("a byte count, 0 or more (0: 5 GiB)")
	}
	c.MaxGenericPackageSize = n
	return nil
}

func parseDatabaseMaxConns(c *Config, v string) error {
	n, err := strconv.Atoi(v)
	// Migrations hold a lock on one connection while they apply on
	// another: a pool of one would hang at start.
	if err != nil || n < 0 || n == 1 || n > 1000 {
		return acceptedError("a number of connections, 2 to 1000, or 0 (4 per CPU, at least 8 and at most 32)")
	}
	c.DatabaseMaxConns = n
	return nil
}

func parseOAuthRateLimit(c *Config, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return acceptedError("a number of requests a minute, 0 or more (0: no limit)")
	}
	c.OAuthRateLimit = n
	return nil
}

func parseBool(dst func(*Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return acceptedError("true or false")
		}
		*dst(c) = b
		return nil
	}
}

// shown is v as an error message may show it: without a URL's password.
func shown(v string) string {
	if u, err := url.Parse(v); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			return u.Redacted()
		}
	}
	return v
}

const acceptedBanDuration = "a duration from 1s to 720h (1m, 1h)"

// parseDuration sets a whole-second duration of 1s to 30 days.
func parseDuration(field func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second || d > 720*time.Hour || d%time.Second != 0 {
			return acceptedError(acceptedBanDuration)
		}
		*field(c) = d
		return nil
	}
}

func parseGitAuthBanMaxRetry(c *Config, v string) error {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 || n > 1000000 {
		return acceptedError("a count from 1 to 1000000")
	}
	c.GitAuthBanMaxRetry = n
	return nil
}
