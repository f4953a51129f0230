//go:build windows

package atomicfile

import (
	"errors"
	"io/fs"
	"os"

	"golang.org/x/sys/windows"
)

// openRead opens path for reading with FILE_SHARE_DELETE, unlike os.Open, so that a writer
// may replace or remove the file while this reader holds it.
func openRead(path string) (*os.File, error) {
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	h, err := windows.CreateFile(p, windows.GENERIC_READ,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE,
		nil, windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL, 0)
	if errors.Is(err, windows.ERROR_ACCESS_DENIED) {
		// What CreateFile answers for a directory: not worth retrying.
		if st, serr := os.Stat(path); serr == nil && st.IsDir() {
			return nil, &fs.PathError{Op: "open", Path: path, Err: ErrNotRegular}
		}
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	if t, err := windows.GetFileType(h); err != nil || t != windows.FILE_TYPE_DISK {
		windows.CloseHandle(h)
		return nil, &fs.PathError{Op: "open", Path: path, Err: ErrNotRegular}
	}
	return os.NewFile(uintptr(h), path), nil
}

// replace moves tmp over path. MOVEFILE_WRITE_THROUGH returns only once the move is on disk,
// which stands in for the directory fsync that Windows does not have.
func replace(tmp, path string) error {
	return move(tmp, path, windows.MOVEFILE_REPLACE_EXISTING|windows.MOVEFILE_WRITE_THROUGH)
}

// placeNew moves tmp to path without MOVEFILE_REPLACE_EXISTING, which fails when path exists:
// first writer wins. Unlike a hard link, the temporary name is gone once this succeeds, so
// nothing is left to remove while a reader holds the file.
func placeNew(tmp, path string) error {
	err := move(tmp, path, windows.MOVEFILE_WRITE_THROUGH)
	if errors.Is(err, windows.ERROR_ALREADY_EXISTS) || errors.Is(err, windows.ERROR_FILE_EXISTS) {
		return &fs.PathError{Op: "create", Path: path, Err: fs.ErrExist}
	}
	return err
}

func move(from, to string, flags uint32) error {
	f, err := windows.UTF16PtrFromString(from)
	if err != nil {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
	}
	t, err := windows.UTF16PtrFromString(to)
	if err != nil {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
	}
	if err := windows.MoveFileEx(f, t, flags); err != nil {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
	}
	return nil
}

// syncDir does nothing: Windows has no directory fsync; replace uses MOVEFILE_WRITE_THROUGH.
func syncDir(string) error { return nil }

// isSharingViolation reports the errors Windows gives while another handle without
// FILE_SHARE_DELETE holds the file, or while a replaced file is still being deleted. Access
// denied is among them, so a genuine permission problem costs RetryFor before it is reported.
func isSharingViolation(err error) bool {
	return errors.Is(err, windows.ERROR_SHARING_VIOLATION) ||
		errors.Is(err, windows.ERROR_ACCESS_DENIED) ||
		errors.Is(err, windows.ERROR_LOCK_VIOLATION)
}
