//go:build !unix && !windows

package atomicfile

import (
	"errors"
	"io/fs"
	"os"
)

func openRead(path string) (*os.File, error) { return os.Open(path) }

func replace(tmp, path string) error { return os.Rename(tmp, path) }

func placeNew(tmp, path string) error {
	err := os.Link(tmp, path)
	if errors.Is(err, fs.ErrExist) {
		return &fs.PathError{Op: "create", Path: path, Err: fs.ErrExist}
	}
	return err
}

func syncDir(string) error { return nil }

func isSharingViolation(error) bool { return false }
