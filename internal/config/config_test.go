package config

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

func TestEnvThenFlags(t *testing.T) {
	env := map[string]string{
		"LABLET_LISTEN":                "0.0.0.0:9000",
		"LABLET_DATA_DIR":              "/srv/lablet",
		"LABLET_EXTERNAL_URL":          "https://forge.example.com/",
		"LABLET_IMPERSONATION_ENABLED": "false",
	}
	c := Default()
	if err := c.FromEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.RegisterServeFlags(fs)
	if err := fs.Parse([]string{"--listen", "127.0.0.1:0"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:0" || c.DataDir != "/srv/lablet" || c.ImpersonationEnabled {
		t.Fatalf("config = %+v", c)
	}
	if c.ExternalURL != "https://forge.example.com" {
		t.Fatalf("external URL = %q, want no trailing slash", c.ExternalURL)
	}
}

func TestInvalid(t *testing.T) {
	c := Default()
	if err := c.FromEnv(func(k string) string {
		if k == "LABLET_ADMIN_MODE" {
			return "perhaps"
		}
		return ""
	}); err == nil {
		t.Error("accepted a non-boolean")
	}
	c = Default()
	c.ExternalURL = "ftp://x"
	if err := c.Validate(); err == nil {
		t.Error("accepted an ftp external URL")
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
	c := Default()
	c.DatabaseURL = "sqlite:db/x.db"
	if err := c.Validate(); err != nil {
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
}
