package main

import (
	"runtime/debug"
	"testing"
)

func TestMemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	if got := applyMemoryLimit(func(string) string { return "" }); got != defaultMemoryLimit || debug.SetMemoryLimit(-1) != defaultMemoryLimit {
		t.Fatalf("without GOMEMLIMIT: %d, runtime %d", got, debug.SetMemoryLimit(-1))
	}
	debug.SetMemoryLimit(1 << 30) // as the runtime would from GOMEMLIMIT=1GiB
	env := map[string]string{"GOMEMLIMIT": "1GiB"}
	if got := applyMemoryLimit(func(k string) string { return env[k] }); got != 1<<30 || debug.SetMemoryLimit(-1) != 1<<30 {
		t.Fatalf("with GOMEMLIMIT: %d, runtime %d", got, debug.SetMemoryLimit(-1))
	}
}
