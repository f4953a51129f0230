//go:build unix

package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// openRead opens path read-only. O_NONBLOCK makes opening a FIFO return at once instead of
// waiting for a writer; ReadFile then refuses it as not regular. O_NOCTTY keeps a terminal
// device from becoming the process's controlling terminal.
func openRead(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
}

// replace renames tmp over path; rename(2) replaces atomically even while path is open.
func replace(tmp, path string) error { return os.Rename(tmp, path) }

// placeNew links tmp to path, which fails when path exists: first writer wins.
func placeNew(tmp, path string) error {
	err := os.Link(tmp, path)
	if errors.Is(err, fs.ErrExist) {
		return &fs.PathError{Op: "create", Path: path, Err: fs.ErrExist}
	}
	return err
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOTSUP) {
		return err // EINVAL/ENOTSUP: the file system cannot sync a directory; nothing more to do
	}
	return nil
}

func isSharingViolation(error) bool { return false }
