package s3test

import "syscall"

// weedProcAttr kills SeaweedFS when the test binary that started it dies.
func weedProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
}

// processAlive reports whether pid still runs.
func processAlive(pid int) bool {
	return syscall.Kill(pid, 0) == nil
}
