//go:build !unix

package server

// dirWritable is left to SQLite where access(2) does not exist.
func dirWritable(string) error { return nil }
