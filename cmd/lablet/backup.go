package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/lablet/lablet/internal/backup"
	"github.com/lablet/lablet/internal/blob"
	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/server"
)

// runBackup runs lablet backup create|verify|restore against the data
// dir and database the storage settings name, as serve reads them.
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || isHelp(args[0]) {
		if len(args) == 0 {
			fmt.Fprint(stderr, backupHelp())
			return errUsageShown
		}
		fmt.Fprint(stdout, backupHelp())
		return nil
	}
	sub, args := args[0], args[1:]
	fs := newFlagSet("backup " + sub)
	var to, previous *string
	withoutObjectStore := new(bool)
	if sub == "create" {
		to = fs.String("to", "", "")
		previous = fs.String("incremental-from", "", "")
		withoutObjectStore = fs.Bool("without-object-store", false, "")
	}
	cfg, rest, err := config.LoadArgs(fs, args, os.Getenv, config.Storage)
	if done, err := parsed("backup "+sub, err, stdout, backupHelp); done {
		return err
	}
	o := backup.Options{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir, RepositoriesDir: cfg.RepositoriesDir,
		LabletVersion: server.Version, Log: newLogger(stderr, "info"), WithoutObjectStore: *withoutObjectStore}
	if st, ok := cfg.ObjectStore(); ok {
		o.ObjectStore = blob.S3Options{Endpoint: st.Endpoint, Secure: st.Secure, Bucket: st.Bucket, Prefix: st.Prefix}.String()
	}
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		o.Log = newLogger(io.Discard, "info")
		o.Progress = progressBar(stderr)
	}
	switch {
	case sub == "create" && len(rest) == 0:
		dst := *to
		if dst == "" {
			dst = "lablet-backup-" + time.Now().UTC().Format("20060102T150405Z") + ".tar"
		}
		o.Previous = *previous
		m, err := backup.CreateFile(ctx, o, dst)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %d repositories, %d files, %d bytes, %s database at schema version %d\n",
			dst, m.Repositories, len(m.Entries), m.Bytes(), m.Database, m.SchemaVersion)
		if m.Previous != nil {
			fmt.Fprintf(stdout, "incremental: %d of the files are in %s, which restore needs beside it\n",
				m.Referenced(), m.Previous.File)
		}
		return nil
	case sub == "verify" && len(rest) == 1:
		m, err := backup.Verify(ctx, rest[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: whole and intact: %d files, %d bytes, made by %s on %s\n",
			rest[0], len(m.Entries), m.Bytes(), m.LabletVersion, m.CreatedAt.Format(time.RFC3339))
		return nil
	case sub == "restore" && len(rest) == 1:
		m, err := backup.Restore(ctx, o, rest[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "restored %s into %s (%d repositories, %d files); start \"lablet serve\" on it\n",
			rest[0], server.DescribeDatabase(cfg), m.Repositories, len(m.Entries))
		if o.ObjectStore != "" && hasBlobs(m) {
			fmt.Fprintf(stderr, "note: the backup's blobs were restored into %s, but blobs are read from %s: copy them into the bucket (mc mirror, aws s3 sync) before serving\n",
				filepath.Join(cfg.DataDir, "blobs"), o.ObjectStore)
		}
		return nil
	case (sub == "verify" || sub == "restore") && len(rest) == 0:
		return usageError{fmt.Errorf("backup %s: the backup FILE is missing (see \"lablet backup --help\")", sub)}
	case sub == "create" || sub == "verify" || sub == "restore":
		return usageError{fmt.Errorf("backup %s: unexpected argument %q (see \"lablet backup --help\")", sub, rest[len(rest)-1])}
	}
	return usageError{fmt.Errorf("backup: unknown command %q: want create, verify or restore (see \"lablet backup --help\")", sub)}
}

// progressBar draws the copy's bytes on a terminal.
func progressBar(w io.Writer) func(done, total int64) {
	var bar *progressbar.ProgressBar
	return func(done, total int64) {
		if bar == nil {
			bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(w), progressbar.OptionShowBytes(true),
				progressbar.OptionSetDescription("backup"), progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }))
		}
		if total != bar.GetMax64() {
			bar.ChangeMax64(total)
		}
		_ = bar.Set64(done)
	}
}

// hasBlobs reports whether the backup m holds blobs (files of the data
// dir's blobs directory).
func hasBlobs(m *backup.Manifest) bool {
	for _, e := range m.Entries {
		if strings.HasPrefix(e.Name, "data/blobs/") {
			return true
		}
	}
	return false
}
