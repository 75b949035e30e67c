//go:build !linux

package s3test

import "syscall"

// weedProcAttr: elsewhere SeaweedFS outlives a test binary that dies.
func weedProcAttr() *syscall.SysProcAttr { return nil }

// processAlive: elsewhere a stale dir is kept (it cannot be told).
func processAlive(int) bool { return true }
