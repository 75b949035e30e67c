package packages_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lablet/lablet/internal/labtest"
)

// patternReader yields n pseudo-random bytes without holding them.
type patternReader struct {
	rng *rand.ChaCha8
	n   int64
}

func (p *patternReader) Read(b []byte) (int, error) {
	if p.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(b)) > p.n {
		b = b[:p.n]
	}
	n, _ := p.rng.Read(b)
	p.n -= int64(n)
	return n, nil
}

// heapPeak samples the heap in use until stop is called and returns the
// largest sample.
func heapPeak() (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	return func() uint64 { close(done); wg.Wait(); return peak.Load() }
}

// TestGenericPackageStreamed: a 64 MiB package file goes to blob storage
// and back without the server holding it: the heap in use (the server
// runs in the test's process) grows by far less than the file, and the
// download's SHA-256 is the upload's and the recorded one. The test runs
// alone (not in parallel), so other tests' heaps don't count.
func TestGenericPackageStreamed(t *testing.T) {
	const size = 64 << 20
	const allowed = 16 << 20
	s := labtest.Start(t)
	f := s.NewTeam(t)
	url := s.URL + "/api/v4" + genericPath(f.Project.ID, "big", "1.0", "big.bin")

	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	stop := heapPeak()
	up := sha256.New()
	body := io.TeeReader(&patternReader{rng: rand.NewChaCha8([32]byte{1}), n: size}, up)
	req, _ := http.NewRequest("PUT", url+"?select=package_file", body)
	req.ContentLength = size
	req.Header.Set("PRIVATE-TOKEN", f.Developer.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %v %v", resp, err)
	}
	resp.Body.Close()

	req, _ = http.NewRequest("GET", url, nil)
	req.Header.Set("PRIVATE-TOKEN", f.Developer.Token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("download: %v %v", resp, err)
	}
	down := sha256.New()
	n, err := io.Copy(down, resp.Body)
	resp.Body.Close()
	peak := stop()
	if err != nil || n != size {
		t.Fatalf("download: %d bytes, %v", n, err)
	}
	sum := hex.EncodeToString(up.Sum(nil))
	if got := hex.EncodeToString(down.Sum(nil)); got != sum || resp.Header.Get("X-Checksum-SHA256") != sum {
		t.Errorf("sha256: uploaded %s, downloaded %s, recorded %s", sum, got, resp.Header.Get("X-Checksum-SHA256"))
	}
	growth := int64(peak) - int64(base.HeapInuse)
	t.Logf("64 MiB up and down: heap in use peaked %d KiB above the start", growth>>10)
	if growth > allowed {
		t.Errorf("heap in use grew by %d MiB for a %d MiB file, want under %d MiB", growth>>20, size>>20, allowed>>20)
	}
}
