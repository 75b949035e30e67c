//go:build !unix

package main

// privateFiles: there is no umask; lablet's own files are created private
// all the same.
func privateFiles() {}
