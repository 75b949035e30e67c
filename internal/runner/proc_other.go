//go:build !unix

package runner

import "os/exec"

// ownGroup: without process groups, a cancel kills bash alone.
func ownGroup(cmd *exec.Cmd) {}

func killGroup(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	return cmd.Process.Kill()
}
