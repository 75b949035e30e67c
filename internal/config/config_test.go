package config

import (
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func load(t *testing.T, env map[string]string, scope Scope, args ...string) (Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return Load(fs, args, func(k string) string { return env[k] }, scope)
}

func TestEnvThenFlags(t *testing.T) {
	env := map[string]string{
		"LABLET_LISTEN":                "0.0.0.0:9000",
		"LABLET_DATA_DIR":              "/srv/lablet",
		"LABLET_REPOSITORIES_DIR":      "/mnt/shared/repositories",
		"LABLET_EXTERNAL_URL":          "https://forge.example.com/",
		"LABLET_IMPERSONATION_ENABLED": "false",
		"LABLET_LOG_LEVEL":             "debug",
	}
	c, err := load(t, env, Serve, "--listen", "127.0.0.1:0", "--log-level=WARN", "--admin-mode")
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:0" || c.DataDir != "/srv/lablet" || c.ImpersonationEnabled || !c.AdminMode ||
		c.LogLevel != "warn" {
		t.Fatalf("config = %+v", c)
	}
	if c.ExternalURL != "https://forge.example.com" {
		t.Fatalf("external URL = %q, want no trailing slash", c.ExternalURL)
	}
}

// samples holds a valid value, other than the default, of every setting
// lablet reads.
var samples = map[string]string{
	"LABLET_LISTEN":                "0.0.0.0:9000",
	"LABLET_DATA_DIR":              "/srv/lablet",
	"LABLET_REPOSITORIES_DIR":      "/mnt/shared/repositories",
	"LABLET_DATABASE_URL":          "postgres://lablet@db/lablet",
	"LABLET_EXTERNAL_URL":          "https://forge.example.com",
	"LABLET_LOG_LEVEL":             "debug",
	"LABLET_IMPERSONATION_ENABLED": "false",
	"LABLET_ADMIN_MODE":            "true",
	"LABLET_OAUTH_PASSWORD_GRANT":  "false",
	"LABLET_MAX_FILE_SIZE":         "1024",
	"LABLET_MAX_ATTACHMENT_SIZE":   "2048",
	"LABLET_PPROF_LISTEN":          "127.0.0.1:6060",
	"LABLET_SSH_LISTEN":            "127.0.0.1:2222",
	"LABLET_CACHES":                "off",
	"LABLET_DATABASE_MAX_CONNS":    "12",
	"LABLET_GRAVATAR":              "true",
	"LABLET_GIT_AUTH_BAN":          "true", "LABLET_GIT_AUTH_BAN_MAX_RETRY": "3",
	"LABLET_GIT_AUTH_BAN_FIND_TIME": "2m", "LABLET_GIT_AUTH_BAN_TIME": "10s",
	"LABLET_RUNNER":                      "true",
	"LABLET_MAX_ARTIFACTS_SIZE":          "5",
	"LABLET_MAX_GENERIC_PACKAGE_SIZE":    "1048576",
	"LABLET_WEBHOOK_RETRY_DELAY":         "50ms",
	"LABLET_OAUTH_RATE_LIMIT":            "60",
	"LABLET_ROOT_PASSWORD":               "a-long-root-password",
	"LABLET_SMTP_ADDRESS":                "127.0.0.1:2525",
	"LABLET_SMTP_FROM":                   "forge@example.com",
	"LABLET_SMTP_USERNAME":               "relay-user",
	"LABLET_SMTP_PASSWORD":               "relay-secret",
	"LABLET_SMTP_TLS":                    "true",
	"LABLET_SMTP_CA_FILE":                "testdata/smtp-ca.pem",
	"LABLET_OBJECT_STORE_URL":            "s3://ak:sk@s3.example.com:9000/blobs?region=eu-west-1",
	"LABLET_OBJECT_STORE_ACCESS_KEY":     "env-access",
	"LABLET_OBJECT_STORE_SECRET_KEY":     "env-secret",
	"LABLET_OBJECT_STORE_PROXY_DOWNLOAD": "false",
}

// TestEverySettingReadAndListed: each setting's variable and flag set the
// Config, and together they set every field of it, so no setting escapes
// the table (and with it the help and the README).
func TestEverySettingReadAndListed(t *testing.T) {
	def := Default()
	all := Default()
	for _, s := range Settings() {
		if s.set == nil {
			continue
		}
		v, ok := samples[s.Env]
		if !ok {
			t.Fatalf("no sample value for %s", s.Env)
		}
		c, err := load(t, map[string]string{s.Env: v}, Serve)
		if err != nil || reflect.DeepEqual(c, def) {
			t.Errorf("%s=%s: %+v, %v; want a change", s.Env, v, c, err)
		}
		if s.Flag != "" {
			fc, err := load(t, nil, Serve, "--"+s.Flag+"="+v)
			if err != nil || !reflect.DeepEqual(fc, c) {
				t.Errorf("--%s=%s gives %+v, %v; its variable %+v", s.Flag, v, fc, err, c)
			}
		}
		if err := s.set(&all, v); err != nil {
			t.Fatal(err)
		}
	}
	cv, dv := reflect.ValueOf(all), reflect.ValueOf(def)
	for i := range cv.NumField() {
		if reflect.DeepEqual(cv.Field(i).Interface(), dv.Field(i).Interface()) {
			t.Errorf("no setting sets Config.%s", cv.Type().Field(i).Name)
		}
	}
}

func TestStorageScope(t *testing.T) {
	// token create reads the storage settings only: serve's are neither
	// flags nor checked there.
	c, err := load(t, map[string]string{"LABLET_LOG_LEVEL": "bogus", "LABLET_DATA_DIR": "/d"}, Storage)
	if err != nil || c.DataDir != "/d" {
		t.Fatalf("%+v, %v", c, err)
	}
	if _, err := load(t, nil, Storage, "--listen", ":1"); err == nil {
		t.Fatal("token create accepted --listen")
	}
}

func TestInvalid(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{map[string]string{"LABLET_ADMIN_MODE": "perhaps"}, nil, `invalid LABLET_ADMIN_MODE "perhaps": want true or false`},
		{nil, []string{"--log-level", "loud"}, `invalid --log-level "loud": want debug, info, warn, error`},
		{map[string]string{"LABLET_DATABASE_URL": "mysql://u:pw@h/db"}, nil,
			`invalid LABLET_DATABASE_URL "mysql://u:xxxxx@h/db": want empty for SQLite in the data dir, or postgres://`},
		{nil, []string{"--database-url", "postgres://"}, `invalid --database-url "postgres://"`},
		{nil, []string{"--database-max-conns", "-1"}, `invalid --database-max-conns "-1": want a number of connections`},
		{map[string]string{"LABLET_DATABASE_MAX_CONNS": "many"}, nil, `invalid LABLET_DATABASE_MAX_CONNS "many"`},
		{nil, []string{"--database-max-conns", "1"}, `invalid --database-max-conns "1": want a number of connections, 2 to 1000`},
		{nil, []string{"--data-dir", ""}, `invalid data dir ""`},
		{nil, []string{"--external-url", "ftp://x"}, `invalid --external-url "ftp://x"`},
		{nil, []string{"--smtp-address", "mail.example.com"}, `invalid --smtp-address "mail.example.com": want empty, or host:port`},
		{map[string]string{"LABLET_SMTP_FROM": "Forge <forge@example.com>"}, nil, `invalid LABLET_SMTP_FROM "Forge <forge@example.com>": want empty, or a bare address`},
		{map[string]string{"LABLET_SMTP_CA_FILE": "testdata/missing.pem"}, nil, `invalid LABLET_SMTP_CA_FILE "testdata/missing.pem": want empty, or a readable file of PEM certificates`},
		{map[string]string{"LABLET_SMTP_CA_FILE": "config_test.go"}, nil, `invalid LABLET_SMTP_CA_FILE "config_test.go": want empty, or a file holding at least one PEM certificate`},
		{map[string]string{"LABLET_MAX_ARTIFACTS_SIZE": "-1"}, nil, `invalid LABLET_MAX_ARTIFACTS_SIZE "-1": want a size in MB, 0 or more (0: 100 MB)`},
	} {
		_, err := load(t, tc.env, Serve, tc.args...)
		var ve *ValueError
		if !errors.As(err, &ve) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v %v: %v, want a ValueError with %q", tc.env, tc.args, err, tc.want)
		}
	}
	// Mail's sender: --smtp-from, else gitlab@ the external URL's host.
	if c, err := load(t, map[string]string{"LABLET_EXTERNAL_URL": "https://forge.example.com:8443/x"}, Serve); err != nil ||
		c.MailFrom() != "gitlab@forge.example.com" {
		t.Errorf("MailFrom = %q, %v", c.MailFrom(), err)
	}
	if c, err := load(t, map[string]string{"LABLET_SMTP_FROM": "ops@example.com"}, Serve); err != nil || c.MailFrom() != "ops@example.com" {
		t.Errorf("MailFrom = %q, %v", c.MailFrom(), err)
	}
	c := Default()
	c.ExternalURL = "ftp://x"
	if err := c.Validate(); err == nil {
		t.Error("Validate accepted an ftp external URL")
	}
	c = Default()
	c.LogLevel = "loud"
	if err := c.Validate(); err == nil {
		t.Error("Validate accepted a log level")
	}
}

// TestPathsAbsolute: every path leaves config absolute, resolved against
// the working directory once; git reads a relative hooks path against the
// repository it runs in.
func TestPathsAbsolute(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	c, err := load(t, map[string]string{"LABLET_DATABASE_URL": "sqlite:db/x.db"}, Serve)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(wd, "lablet-data"); c.DataDir != want {
		t.Fatalf("data dir = %q, want %q", c.DataDir, want)
	}
	if want := "sqlite:" + filepath.Join(wd, "db", "x.db"); c.DatabaseURL != want {
		t.Fatalf("database URL = %q, want %q", c.DatabaseURL, want)
	}
	before := c
	if err := c.Validate(); err != nil || c != before {
		t.Fatalf("Validate again: %+v, %v", c, err)
	}
	c = Default()
	c.DataDir = "rel/dir"
	if err := c.Validate(); err != nil || c.DataDir != filepath.Join(wd, "rel", "dir") {
		t.Fatalf("Validate: data dir %q, %v", c.DataDir, err)
	}
}

// TestReadmeSettings keeps the README's table the table of settings.
func TestReadmeSettings(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if want := MarkdownTable(); !strings.Contains(string(readme), want) {
		t.Fatalf("README.md's settings table is not the one config describes; it should read:\n\n%s", want)
	}
}

func TestHelpListsEverySetting(t *testing.T) {
	var b strings.Builder
	WriteHelp(&b, Serve)
	for _, s := range Settings() {
		if !strings.Contains(b.String(), s.Env) || (s.Flag != "" && !strings.Contains(b.String(), "--"+s.Flag)) {
			t.Errorf("help lacks %s:\n%s", s.Env, b.String())
		}
	}
}

// TestLoadArgs: a command's arguments come back in order wherever they
// stand among the flags; Load still refuses any.
func TestLoadArgs(t *testing.T) {
	for _, args := range [][]string{
		{"a.tar", "--data-dir", "/d", "b.tar"},
		{"--data-dir", "/d", "a.tar", "b.tar"},
		{"a.tar", "b.tar", "--data-dir=/d"},
	} {
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		c, rest, err := LoadArgs(fs, args, func(string) string { return "" }, Storage)
		if err != nil || c.DataDir != "/d" || len(rest) != 2 || rest[0] != "a.tar" || rest[1] != "b.tar" {
			t.Errorf("LoadArgs(%q) = %q, %q, %v", args, c.DataDir, rest, err)
		}
	}
	if _, err := load(t, nil, Storage, "--data-dir", "/d", "extra"); err == nil || !strings.Contains(err.Error(), `unexpected argument "extra"`) {
		t.Errorf("Load with an argument: %v", err)
	}
}
