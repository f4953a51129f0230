//go:build unix

package atomicfile

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

func checkPrivate(dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return &fs.PathError{Op: "mkdir", Path: dir, Err: syscall.ENOTDIR}
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	perm := st.Mode().Perm()
	uid := os.Geteuid()
	switch {
	case st.Mode()&fs.ModeSticky != 0 && perm&0o002 != 0:
		// A shared directory such as /tmp: never tightened, even by its owner.
		return &fs.PathError{Op: "mkdir", Path: dir, Err: fmt.Errorf("%w: mode %v, a shared directory", ErrInsecureDir, st.Mode())}
	case int(sys.Uid) == uid:
		if perm&0o077 != 0 {
			if err := os.Chmod(dir, perm&0o700); err != nil {
				return &fs.PathError{Op: "chmod", Path: dir, Err: fmt.Errorf("%w (mode %v), and it could not be tightened: %v", ErrInsecureDir, perm, err)}
			}
		}
		return nil
	case sys.Uid != 0:
		return &fs.PathError{Op: "mkdir", Path: dir, Err: fmt.Errorf("%w: owned by uid %d, not by this user (uid %d)", ErrInsecureDir, sys.Uid, uid)}
	case perm&0o022 != 0:
		return &fs.PathError{Op: "mkdir", Path: dir, Err: fmt.Errorf("%w: mode %v, owned by root", ErrInsecureDir, st.Mode())}
	}
	return nil
}
