package s3test

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// weedStartTimeout bounds SeaweedFS's start (three servers and a gateway;
// about three seconds on an idle machine).
const weedStartTimeout = 90 * time.Second

// startWeed runs `weed server` with the S3 gateway on free loopback ports
// and a data dir under the temporary directory, and waits until the
// gateway answers. The process lives as long as the test binary (killed
// with it, see weedProcAttr); its data dir is removed by the next start
// once that binary is gone.
func startWeed(bin string) (string, error) {
	removeStaleWeedDirs()
	dir, err := os.MkdirTemp("", "lablet-weed-*")
	if err != nil {
		return "", err
	}
	ports, err := freePorts(10)
	if err != nil {
		return "", err
	}
	p := func(i int) string { return strconv.Itoa(ports[i]) }
	args := []string{"server", "-dir=" + dir, "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
		"-master.port=" + p(0), "-master.port.grpc=" + p(1), "-master.volumeSizeLimitMB=64",
		"-volume.port=" + p(2), "-volume.port.grpc=" + p(3), "-volume.max=0",
		"-filer", "-filer.port=" + p(4), "-filer.port.grpc=" + p(5),
		"-s3", "-s3.port=" + p(6), "-s3.port.grpc=" + p(7), "-s3.port.iceberg=0", "-s3.port.lance=0",
		"-metricsPort=" + p(8)}
	var log bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = &log, &log
	cmd.SysProcAttr = weedProcAttr()
	if err := os.WriteFile(filepath.Join(dir, "owner.pid"), []byte(strconv.Itoa(os.Getpid())), 0o600); err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("start %s: %w", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	endpoint := "127.0.0.1:" + p(6)
	deadline := time.Now().Add(weedStartTimeout)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return "", fmt.Errorf("weed server exited (%v): %s", err, tail(log.String()))
		default:
		}
		// The gateway answers a signed-less ListBuckets once the filer
		// it stores in is up.
		if resp, err := http.Get("http://" + endpoint + "/"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return endpoint, nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	_ = cmd.Process.Kill()
	return "", fmt.Errorf("weed server not answering on %s after %s: %s", endpoint, weedStartTimeout, tail(log.String()))
}

// freePorts returns n loopback ports free at the time of asking.
func freePorts(n int) ([]int, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// removeStaleWeedDirs removes the data dirs of SeaweedFS servers whose
// test binary has exited.
func removeStaleWeedDirs() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "lablet-weed-*"))
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "owner.pid"))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(string(b))
		if err != nil || processAlive(pid) {
			continue
		}
		_ = os.RemoveAll(d)
	}
}

func tail(s string) string {
	if len(s) > 2000 {
		return s[len(s)-2000:]
	}
	return s
}
