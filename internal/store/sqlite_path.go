package store

import (
	"path/filepath"
	"strings"
)

// SQLitePath is the SQLite file Open uses for url and dataDir (as Open
// chooses it), or "" when url names another database.
func SQLitePath(url, dataDir string) string {
	if url != "" && !strings.HasPrefix(url, "sqlite:") {
		return ""
	}
	if path := strings.TrimPrefix(url, "sqlite:"); path != "" {
		return path
	}
	return filepath.Join(dataDir, "lablet.db")
}
