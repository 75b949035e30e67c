//go:build unix

package server

import "syscall"

// access(2)'s modes; package syscall does not name them.
const (
	accessWrite  = 0x2 // W_OK
	accessSearch = 0x1 // X_OK
)

// dirWritable asks the kernel whether files may be created in dir, as
// SQLite will; unlike a probe file it leaves nothing behind.
func dirWritable(dir string) error {
	return syscall.Access(dir, accessWrite|accessSearch)
}
