package config

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Scope says which commands read a setting.
type Scope int

const (
	// Storage settings are read by every command that opens the instance
	// (serve, token create).
	Storage Scope = iota
	// Serve settings are read by `lablet serve` only; it reads the storage
	// settings too.
	Serve
)

// Setting describes one setting.
type Setting struct {
	// Flag is the flag's name without dashes; empty for settings given by
	// the environment only.
	Flag string
	// Arg names the flag's value in help (ADDR, DIR, URL); empty for
	// booleans.
	Arg string
	// Env is the environment variable. An empty variable counts as unset.
	Env string
	// Default is the default value as people read it; empty means empty.
	Default string
	// Usage says what the setting does, in one line.
	Usage string
	// Scope says which commands read it.
	Scope Scope

	// set checks a value and stores it; nil for settings lablet only
	// documents (GOMEMLIMIT, which the Go runtime reads).
	set     func(*Config, string) error
	boolean bool
}

// in reports whether a command reading scope reads s.
func (s *Setting) in(scope Scope) bool { return s.Scope == Storage || s.Scope == scope }

// apply sets v, given as name (a flag or a variable), on c.
func (s *Setting) apply(c *Config, name, v string) error {
	err := s.set(c, v)
	var ae acceptedError
	if errors.As(err, &ae) {
		return &ValueError{Name: name, Value: shown(v), Accepted: string(ae)}
	}
	return err
}

// settings is the table of every setting, in the order help shows them.
var settings = []Setting{
	{Flag: "listen", Arg: "ADDR", Env: "LABLET_LISTEN", Default: "127.0.0.1:8080", Scope: Serve,
		Usage: "address (host:port) to serve HTTP on", set: parseListen},
	{Flag: "ssh-listen", Arg: "ADDR", Env: "LABLET_SSH_LISTEN", Scope: Serve,
		Usage: "address (host:port) to serve git over SSH on (user `git`, users' SSH keys and deploy keys); the host key is generated on first start in `<data-dir>/ssh_host_ed25519_key`; empty: no SSH",
		set:   parseSSHListen},
	{Flag: "data-dir", Arg: "DIR", Env: "LABLET_DATA_DIR", Default: "./lablet-data", Scope: Storage,
		Usage: "directory of the SQLite database, the repositories and the keys; a relative one is resolved against the working directory at start",
		set:   parseDataDir},
	{Flag: "repositories-dir", Arg: "DIR", Env: "LABLET_REPOSITORIES_DIR", Scope: Storage,
		Usage: "directory of the git repositories (projects', snippets' and wikis'); empty: `<data-dir>/repositories`; instances sharing one PostgreSQL database must share it too, at the same path (docs/scale-out.md)",
		set:   parseRepositoriesDir},
	{Flag: "database-url", Arg: "URL", Env: "LABLET_DATABASE_URL", Scope: Storage,
		Usage: "empty: SQLite in the data dir; `postgres://user@host:5432/database` for PostgreSQL", set: parseDatabaseURL},
	{Flag: "database-max-conns", Arg: "N", Env: "LABLET_DATABASE_MAX_CONNS", Default: "0", Scope: Serve,
		Usage: "the most PostgreSQL connections an instance keeps open, 2 or more; 0: 4 per CPU, at least 8 and at most 32 (each connection is a PostgreSQL process that warms its own caches; more than the CPUs can use only queue inside PostgreSQL)",
		set:   parseDatabaseMaxConns},
	{Flag: "object-store-url", Arg: "URL", Env: "LABLET_OBJECT_STORE_URL", Scope: Storage,
		Usage: "an S3-compatible bucket to keep blobs (uploads, LFS objects, CI artifacts and traces, avatars) in, so that several instances share them: `s3://[ACCESS:SECRET@]host[:port]/bucket[/prefix][?region=REGION&secure=false]` (HTTPS unless `secure=false`; the bucket must exist); empty: files under `<data-dir>/blobs`",
		set:   parseObjectStoreURL},
	// No flag: secrets on the command line are visible to every user.
	{Env: "LABLET_OBJECT_STORE_ACCESS_KEY", Scope: Storage,
		Usage: "access key of `--object-store-url`, instead of the URL's user name",
		set:   func(c *Config, v string) error { c.ObjectStoreAccessKey = v; return nil }},
	{Env: "LABLET_OBJECT_STORE_SECRET_KEY", Scope: Storage,
		Usage: "secret key of `--object-store-url`, instead of the URL's password",
		set:   func(c *Config, v string) error { c.ObjectStoreSecretKey = v; return nil }},
	{Flag: "object-store-proxy-download", Env: "LABLET_OBJECT_STORE_PROXY_DOWNLOAD", Default: "true", Scope: Serve, boolean: true,
		Usage: "`false` answers a download of a Git LFS object, generic package file, job artifacts archive, upload or avatar kept in `--object-store-url` with a redirect (302) to a URL of the object store presigned for 10 minutes, so the bytes bypass lablet, as GitLab's `proxy_download: false`; `true`: lablet streams them",
		set:   parseBool(func(c *Config) *bool { return &c.ObjectStoreProxyDownload })},
	{Flag: "external-url", Arg: "URL", Env: "LABLET_EXTERNAL_URL", Scope: Serve,
		Usage: "base URL clients use, `http(s)://host[:port][/path]`; empty: derived from each request's `Host`",
		set:   parseExternalURL},
	{Flag: "log-level", Arg: "LEVEL", Env: "LABLET_LOG_LEVEL", Default: "info", Scope: Serve,
		Usage: "least severe log level written: `debug`, `info`, `warn` or `error`", set: parseLogLevel},
	{Flag: "impersonation-enabled", Env: "LABLET_IMPERSONATION_ENABLED", Default: "true", Scope: Serve, boolean: true,
		Usage: "`false` refuses impersonation tokens",
		set:   parseBool(func(c *Config) *bool { return &c.ImpersonationEnabled })},
	{Flag: "admin-mode", Env: "LABLET_ADMIN_MODE", Default: "false", Scope: Serve, boolean: true,
		Usage: "`true` makes admin powers need the `admin_mode` scope on tokens, and in a browser session the password entered again at `/admin/session/new` (for six hours)",
		set:   parseBool(func(c *Config) *bool { return &c.AdminMode })},
	{Flag: "oauth-password-grant", Env: "LABLET_OAUTH_PASSWORD_GRANT", Default: "true", Scope: Serve, boolean: true,
		Usage: "`false` turns off OAuth's resource owner password credentials grant",
		set:   parseBool(func(c *Config) *bool { return &c.OAuthPasswordGrant })},
	{Flag: "oauth-rate-limit", Arg: "N", Env: "LABLET_OAUTH_RATE_LIMIT", Default: "10", Scope: Serve,
		Usage: "OAuth dynamic client registrations and device authorizations one client address may make a minute; `0`: no limit",
		set:   parseOAuthRateLimit},
	{Flag: "max-file-size", Arg: "BYTES", Env: "LABLET_MAX_FILE_SIZE", Default: "0", Scope: Serve,
		Usage: "largest file the REST API writes (files, commits), in bytes; `0`: 10 MiB", set: parseMaxFileSize},
	{Flag: "max-attachment-size", Arg: "BYTES", Env: "LABLET_MAX_ATTACHMENT_SIZE", Default: "0", Scope: Serve,
		Usage: "largest file uploaded for Markdown (`POST /projects/:id/uploads`), in bytes; `0`: 100 MiB, GitLab's default", set: parseMaxAttachmentSize},
	{Flag: "max-artifacts-size", Arg: "MB", Env: "LABLET_MAX_ARTIFACTS_SIZE", Default: "0", Scope: Serve,
		Usage: "largest artifacts file a job uploads, in MB; `0`: 100 MB, GitLab's default; a larger upload is refused with 413", set: parseMaxArtifactsSize},
	{Flag: "max-generic-package-size", Arg: "BYTES", Env: "LABLET_MAX_GENERIC_PACKAGE_SIZE", Default: "0", Scope: Serve,
		Usage: "largest generic package file (`PUT /projects/:id/packages/generic/…`), in bytes; `0`: 5 GiB, GitLab's default; a larger upload is refused with 400", set: parseMaxGenericPackageSize},
	{Flag: "webhook-retry-delay", Arg: "DURATION", Env: "LABLET_WEBHOOK_RETRY_DELAY", Default: "10s", Scope: Serve,
		Usage: "wait before the first retry of a failed webhook delivery; each of the next two waits four times longer", set: parseWebHookRetryDelay},
	{Flag: "runner", Env: "LABLET_RUNNER", Default: "false", Scope: Serve, boolean: true,
		Usage: "`true` also runs one built-in CI runner (shell executor, as `lablet runner run`) in this process: an instance runner created at the first start, its token kept in `<data-dir>/runner-token`, its jobs run in `<data-dir>/builds`",
		set:   parseBool(func(c *Config) *bool { return &c.Runner })},
	{Flag: "gravatar", Env: "LABLET_GRAVATAR", Default: "false", Scope: Serve, boolean: true,
		Usage: "`true` makes users' `avatar_url` Gravatar's, as GitLab's default is; `false`: identicons lablet serves itself at `/-/identicons/<user id>.png`, which need no network and tell no third party who is looked at",
		set:   parseBool(func(c *Config) *bool { return &c.Gravatar })},
	{Flag: "git-auth-ban", Env: "LABLET_GIT_AUTH_BAN", Default: "false", Scope: Serve, boolean: true,
		Usage: "`true` bans a client address from git over HTTP (403) for `--git-auth-ban-time` after `--git-auth-ban-max-retry` failed authentications within `--git-auth-ban-find-time`, as GitLab's failed-authentication ban; a successful authentication resets the count",
		set:   parseBool(func(c *Config) *bool { return &c.GitAuthBan })},
	{Flag: "git-auth-ban-max-retry", Arg: "N", Env: "LABLET_GIT_AUTH_BAN_MAX_RETRY", Default: "10", Scope: Serve,
		Usage: "failed git over HTTP authentications from one address that start its ban", set: parseGitAuthBanMaxRetry},
	{Flag: "git-auth-ban-find-time", Arg: "DURATION", Env: "LABLET_GIT_AUTH_BAN_FIND_TIME", Default: "1m", Scope: Serve,
		Usage: "window the failed authentications are counted in", set: parseDuration(func(c *Config) *time.Duration { return &c.GitAuthBanFindTime })},
	{Flag: "git-auth-ban-time", Arg: "DURATION", Env: "LABLET_GIT_AUTH_BAN_TIME", Default: "1h", Scope: Serve,
		Usage: "how long a banned address is refused", set: parseDuration(func(c *Config) *time.Duration { return &c.GitAuthBanTime })},
	{Flag: "smtp-address", Arg: "ADDR", Env: "LABLET_SMTP_ADDRESS", Scope: Serve,
		Usage: "SMTP relay (host:port) that mail (emails on push) is sent through; STARTTLS when the relay offers it; empty: no mail is sent",
		set:   parseSMTPAddress},
	{Flag: "smtp-tls", Env: "LABLET_SMTP_TLS", Default: "false", Scope: Serve, boolean: true,
		Usage: "`true` speaks TLS to the relay from the first byte (SMTPS, usually port 465), as GitLab's `smtp_tls`; `false`: plain SMTP, upgraded with STARTTLS when the relay offers it",
		set:   parseBool(func(c *Config) *bool { return &c.SMTPTLS })},
	{Flag: "smtp-ca-file", Arg: "FILE", Env: "LABLET_SMTP_CA_FILE", Scope: Serve,
		Usage: "PEM certificates the relay's TLS certificate must chain to, as GitLab's `smtp_ca_file`; empty: the system's",
		set:   parseSMTPCAFile},
	{Flag: "smtp-from", Arg: "ADDR", Env: "LABLET_SMTP_FROM", Scope: Serve,
		Usage: "sender address of mail; empty: `gitlab@<host>` of `--external-url` (`gitlab@localhost` without one)",
		set:   parseSMTPFrom},
	{Flag: "smtp-username", Arg: "NAME", Env: "LABLET_SMTP_USERNAME", Scope: Serve,
		Usage: "user name for the relay's PLAIN authentication (sent only over TLS or to localhost); empty: none",
		set:   func(c *Config, v string) error { c.SMTPUsername = v; return nil }},
	// No flag: a password on the command line is visible to every user.
	{Env: "LABLET_SMTP_PASSWORD", Scope: Serve,
		Usage: "password for the relay's PLAIN authentication, with `--smtp-username`",
		set:   func(c *Config, v string) error { c.SMTPPassword = v; return nil }},
	{Flag: "caches", Arg: "on|off", Env: "LABLET_CACHES", Default: "on", Scope: Serve,
		Usage: "`off` disables every in-memory cache; answers must not change (a difference is a cache bug)",
		set:   parseCaches},
	{Flag: "pprof-listen", Arg: "ADDR", Env: "LABLET_PPROF_LISTEN", Scope: Serve,
		Usage: "an address (keep it on loopback) that serves Go's `/debug/pprof/`; empty: none", set: parsePprofListen},
	// No flag: a password on the command line is visible to every user.
	{Env: "LABLET_ROOT_PASSWORD", Scope: Serve,
		Usage: "root's password on first start; empty: a random one, written to `<data-dir>/initial_root_password`",
		set:   parseRootPassword},
	// No flag: the Go runtime reads it before lablet runs.
	{Env: "GOMEMLIMIT", Default: "256MiB", Scope: Serve,
		Usage: "Go's soft memory limit: a byte count with `B`, `KiB`, `MiB`, `GiB` or `TiB`, or `off`; " +
			"`serve` sets 256MiB when it is unset. The Go runtime reads it at process start, before lablet runs, " +
			"and on a value it cannot parse stops with \"fatal error: malformed GOMEMLIMIT\", a runtime stack trace " +
			"and exit status 2"},
}

// Settings returns the table of every setting, in help order.
func Settings() []Setting { return append([]Setting(nil), settings...) }

// WriteHelp writes the settings a command reading scope reads, each with
// its flag, environment variable, default and meaning.
func WriteHelp(w io.Writer, scope Scope) {
	var flags, envOnly []Setting
	for _, s := range settings {
		if !s.in(scope) {
			continue
		}
		if s.Flag != "" {
			flags = append(flags, s)
		} else {
			envOnly = append(envOnly, s)
		}
	}
	fmt.Fprintln(w, "Settings (a flag wins over its environment variable, which wins over the default):")
	for _, s := range flags {
		name := "--" + s.Flag
		switch {
		case s.boolean:
			name += "[=true|false]" // a bare --flag is true
		case s.Arg != "":
			name += " " + s.Arg
		}
		WriteEntry(w, name, s.Env, shownDefault(s.Default), s.Usage)
	}
	if len(envOnly) > 0 {
		fmt.Fprintln(w, "\nSet by the environment only:")
		for _, s := range envOnly {
			WriteEntry(w, "", s.Env, shownDefault(s.Default), s.Usage)
		}
	}
}

// WriteEntry writes one entry of a help text: a flag (or ""), its
// environment variable (or ""), its default, and what it does, wrapped.
// Markdown's backquotes in usage are dropped.
func WriteEntry(w io.Writer, flag, env, def, usage string) {
	name, where := flag, "default "+def
	switch {
	case flag == "":
		name = env
	case env != "":
		where = "env " + env + ", " + where
	}
	fmt.Fprintf(w, "  %s  (%s)\n%s", name, where, plainText(usage, "        ", 80))
}

func shownDefault(d string) string {
	if d == "" {
		return "empty"
	}
	return d
}

// MarkdownTable is the README's table of settings.
func MarkdownTable() string {
	var b strings.Builder
	b.WriteString("| flag | environment | default | meaning |\n|---|---|---|---|\n")
	for _, s := range settings {
		flag := ""
		if s.Flag != "" {
			flag = "`--" + s.Flag + "`"
		}
		def := "empty"
		if s.Default != "" {
			def = "`" + s.Default + "`"
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s |\n", flag, s.Env, def, markdownText(s.Usage))
	}
	return b.String()
}

// markdownText escapes the table's separator; code is already in
// backquotes.
func markdownText(s string) string { return strings.ReplaceAll(s, "|", "\\|") }

// plainText is s for a terminal: without Markdown's backquotes, wrapped
// at width columns after indent.
func plainText(s, indent string, width int) string {
	var b strings.Builder
	line := indent
	for _, w := range strings.Fields(strings.ReplaceAll(s, "`", "")) {
		if len(line) > len(indent) && len(line)+1+len(w) > width {
			b.WriteString(line + "\n")
			line = indent
		}
		if len(line) > len(indent) {
			line += " "
		}
		line += w
	}
	b.WriteString(line + "\n")
	return b.String()
}
