//go:build !unix

package backup

// lockBackups takes no lock where flock is missing: one backup at a time
// is then the operator's to ensure.
func lockBackups(string) (func(), error) { return func() {}, nil }
