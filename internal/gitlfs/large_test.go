package gitlfs_test

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lablet/lablet/internal/labtest"
)

// procStatusKB reads a field of /proc/self/status (VmRSS, VmHWM), in KiB.
func procStatusKB(t *testing.T, field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skip("no /proc: RSS not measurable here")
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	t.Skipf("no %s in /proc/self/status", field)
	return 0
}

// TestLFSLargeObjectStreams uploads and downloads a 100 MB object and
// checks that the process's peak RSS grows by far less than the object:
// both directions stream. Not parallel: other tests would move the peak.
func TestLFSLargeObjectStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("100 MB object: not with -short")
	}
	const size = 100 << 20
	s := labtest.Start(t)
	u := s.NewUser(t, "big")
	p := s.Do(t, labtest.Request{Method: http.MethodPost, Path: "/projects", Token: u.Token, JSON: map[string]any{"name": "big"}}).Map(t)
	path := p["path_with_namespace"].(string)

	src := filepath.Join(t.TempDir(), "obj")
	f, err := os.Create(src)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	rng := rand.NewChaCha8([32]byte{1})
	start := time.Now()
	if _, err := io.CopyN(io.MultiWriter(f, h), rng, size); err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	diskCopy := time.Since(start)
	oid := hex.EncodeToString(h.Sum(nil))
	auth := basic(u.Username, u.Token)

	runtime.GC()
	rssBefore := procStatusKB(t, "VmRSS")
	// Reset the peak (VmHWM) so that it measures the transfers alone.
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Skipf("cannot reset the RSS peak: %v", err)
	}

	body, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	req, _ := http.NewRequest(http.MethodPut, fmt.Sprintf("%s/%s.git/gitlab-lfs/objects/%s/%d", s.URL, path, oid, size), body)
	req.ContentLength = size
	req.Header.Set("Authorization", auth)
	req.Header.Set("Content-Type", "application/octet-stream")
	start = time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	up := time.Since(start)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("upload = %d", resp.StatusCode)
	}

	req, _ = http.NewRequest(http.MethodGet, s.URL+"/"+path+".git/gitlab-lfs/objects/"+oid, nil)
	req.Header.Set("Authorization", auth)
	start = time.Now()
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got := sha256.New()
	n, err := io.Copy(got, resp.Body)
	resp.Body.Close()
	down := time.Since(start)
	if err != nil || n != size || hex.EncodeToString(got.Sum(nil)) != oid {
		t.Fatalf("download: %d bytes, sha256 match %v, %v", n, hex.EncodeToString(got.Sum(nil)) == oid, err)
	}

	peak := procStatusKB(t, "VmHWM")
	growth := (peak - rssBefore) >> 10
	mbps := func(d time.Duration) float64 { return float64(size>>20) / d.Seconds() }
	t.Logf("100 MB object: RSS before %d MiB, peak during upload+download %d MiB (growth %d MiB); "+
		"disk write+hash %.0f MB/s, upload %.0f MB/s, download %.0f MB/s",
		rssBefore>>10, peak>>10, growth, mbps(diskCopy), mbps(up), mbps(down))
	if growth > 48 {
		t.Errorf("peak RSS grew by %d MiB moving a 100 MiB object: not streaming", growth)
	}
}
