//go:build unix

package main

import "syscall"

// privateFiles makes what lablet and the git processes it runs create
// readable and writable by lablet's user only (directories 0700, files
// 0600 or 0400), whatever umask it was started with.
func privateFiles() { syscall.Umask(0o077) }
