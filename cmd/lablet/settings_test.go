package main

import (
	"strings"
	"testing"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/config"
)

// TestHelp: every command answers --help and -h on stdout with exit
// status 0, listing every flag and every setting it reads, each with its
// environment variable and default.
func TestHelp(t *testing.T) {
	var all, storage []config.Setting
	for _, s := range config.Settings() {
		all = append(all, s)
		if s.Scope == config.Storage {
			storage = append(storage, s)
		}
	}
	tokenFlags := []string{"--user NAME", "--name NAME", "--scopes LIST", "--expires-at DATE"}
	for _, tc := range []struct {
		args     []string
		settings []config.Setting
		want     []string
	}{
		{[]string{"--help"}, all, []string{"lablet serve", "lablet token create", "lablet version", "lablet runner register|run"}},
		{[]string{"-h"}, all, nil},
		{[]string{"help"}, all, nil},
		{[]string{"serve", "--help"}, all, []string{"Usage: lablet serve"}},
		{[]string{"serve", "-h"}, all, nil},
		{[]string{"help", "serve"}, all, nil},
		{[]string{"token", "create", "--help"}, storage, append(tokenFlags, strings.Join(auth.PersonalScopes[:3], ", "))},
		{[]string{"token", "create", "-h"}, storage, tokenFlags},
		{[]string{"token", "--help"}, storage, tokenFlags},
		{[]string{"version", "--help"}, nil, []string{"Usage: lablet version", "no flags"}},
		{[]string{"version", "-h"}, nil, nil},
		{[]string{"runner", "--help"}, nil, []string{"Usage: lablet runner register", "--token TOKEN", "--builds-dir DIR"}},
		{[]string{"runner", "run", "-h"}, nil, []string{"--concurrent N"}},
		{[]string{"help", "runner"}, nil, nil},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := runLablet(t, t.TempDir(), baseEnv(), tc.args...)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("status %d, stderr %q; want 0 and help on stdout", r.code, r.stderr)
			}
			want := tc.want
			for _, s := range tc.settings {
				d := s.Default
				if d == "" {
					d = "empty"
				}
				if s.Flag != "" {
					want = append(want, "--"+s.Flag, "(env "+s.Env+", default "+d+")")
				} else {
					want = append(want, s.Env+"  (default "+d+")")
				}
			}
			for _, w := range want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("help lacks %q:\n%s", w, r.stdout)
				}
			}
			if len(tc.settings) < len(all) && strings.Contains(r.stdout, "LABLET_LISTEN") {
				t.Errorf("help lists settings the command does not read:\n%s", r.stdout)
			}
		})
	}
}

// TestBadValues: a value a setting does not accept stops lablet with exit
// status 2 and one line naming the setting, the value and what is
// accepted; nothing is created.
func TestBadValues(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"Scopes", nil, []string{"token", "create", "--name", "x", "--scopes", "api,bogus"},
			`invalid --scopes "bogus": want a comma-separated list of ` + strings.Join(auth.PersonalScopes, ", ")},
		{"DatabaseURLFlag", nil, []string{"serve", "--database-url", "mysql://lablet:secret@db/lablet"},
			`invalid --database-url "mysql://lablet:xxxxx@db/lablet": want empty for SQLite in the data dir, or postgres://`},
		{"DatabaseURLEnv", []string{"LABLET_DATABASE_URL=mysql://db/lablet"}, []string{"token", "create", "--name", "x"},
			`invalid LABLET_DATABASE_URL "mysql://db/lablet": want empty for SQLite in the data dir, or postgres://`},
		{"LogLevelEnv", []string{"LABLET_LOG_LEVEL=bogus"}, []string{"serve"},
			`invalid LABLET_LOG_LEVEL "bogus": want debug, info, warn, error`},
		{"LogLevelFlag", nil, []string{"serve", "--log-level", "loud"},
			`invalid --log-level "loud": want debug, info, warn, error`},
		{"Boolean", []string{"LABLET_ADMIN_MODE=perhaps"}, []string{"serve"},
			`invalid LABLET_ADMIN_MODE "perhaps": want true or false`},
		{"BooleanFlag", nil, []string{"serve", "--impersonation-enabled=nah"},
			`invalid --impersonation-enabled "nah": want true or false`},
		{"MaxFileSize", []string{"LABLET_MAX_FILE_SIZE=10MB"}, []string{"serve"},
			`invalid LABLET_MAX_FILE_SIZE "10MB": want a byte count`},
		{"Listen", nil, []string{"serve", "--listen", "8080"}, `invalid --listen "8080": want host:port`},
		{"PprofListen", []string{"LABLET_PPROF_LISTEN=localhost"}, []string{"serve"},
			`invalid LABLET_PPROF_LISTEN "localhost": want empty, or host:port`},
		{"ExternalURL", []string{"LABLET_EXTERNAL_URL=ftp://forge"}, []string{"serve"},
			`invalid LABLET_EXTERNAL_URL "ftp://forge": want empty, or http(s)://`},
		{"ExpiresAt", nil, []string{"token", "create", "--name", "x", "--expires-at", "soon"},
			`invalid --expires-at "soon": want a date YYYY-MM-DD`},
		{"UnknownFlag", nil, []string{"serve", "--port", "80"}, `flag provided but not defined: -port`},
		{"Argument", nil, []string{"serve", "now"}, `unexpected argument "now"`},
		{"UnknownCommand", nil, []string{"start"}, `unknown command "start"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			work := t.TempDir()
			r := runLablet(t, work, baseEnv(tc.env...), tc.args...)
			last := r.stderr
			if tc.name == "UnknownCommand" { // the usage, then the error
				last = r.stderr[strings.LastIndex(strings.TrimSuffix(r.stderr, "\n"), "\n")+1:]
			}
			if r.code != 2 || r.stdout != "" || strings.Count(last, "\n") != 1 || !strings.Contains(last, tc.want) {
				t.Fatalf("status %d, stdout %q, stderr %q; want status 2 and one line with %q", r.code, r.stdout, r.stderr, tc.want)
			}
			if strings.Contains(r.stderr, "secret") || strings.Contains(r.stderr, "goroutine") {
				t.Fatalf("stderr shows a password or a stack: %q", r.stderr)
			}
			if got := dirEntries(t, work); len(got) != 0 {
				t.Fatalf("created %v", got)
			}
		})
	}
}

// TestMalformedGOMEMLIMIT documents what lablet cannot change: the Go
// runtime parses GOMEMLIMIT while it starts, before any of lablet's code,
// and on a value it cannot parse it aborts with its own message, a runtime
// stack trace and exit status 2. Nothing is created.
func TestMalformedGOMEMLIMIT(t *testing.T) {
	work := t.TempDir()
	r := runLablet(t, work, baseEnv("GOMEMLIMIT=1GB"), "serve")
	if r.code != 2 || !strings.Contains(r.stderr, "fatal error: malformed GOMEMLIMIT") {
		t.Fatalf("status %d, stderr %q", r.code, r.stderr)
	}
	if got := dirEntries(t, work); len(got) != 0 {
		t.Fatalf("created %v", got)
	}
	// The runtime's own syntax, which the help states, is accepted.
	r = runLablet(t, work, baseEnv("GOMEMLIMIT=1GiB"), "version")
	if r.code != 0 {
		t.Fatalf("GOMEMLIMIT=1GiB: status %d, stderr %q", r.code, r.stderr)
	}
}
