// Package atomicfile reads and replaces small private files safely when other readers, other
// processes or an antivirus may hold them open at the same moment.
//
// It is shared by the token file store and the fingerprint install id, the two places where
// tollgate keeps a file of its own.
//
// # Why
//
// On Windows a file that someone opened without FILE_SHARE_DELETE can be neither removed nor
// replaced (hard links share that rule): os.Rename fails with "Access denied" or a sharing
// violation. Go's os.Open does not pass FILE_SHARE_DELETE, so two goroutines or two instances
// of an app, one reading and one saving, collide. This package opens files for reading with
// FILE_SHARE_DELETE on Windows, and retries a replace or a removal briefly (up to [RetryFor])
// when the OS reports a sharing violation, as cmd/go's internal robustio package does for the
// same reason. github.com/google/renameio does not support Windows, which is why this exists.
//
// # What a reader sees
//
// A writer writes a temporary file in the same directory, syncs it, and renames it over the
// target (MoveFileEx with MOVEFILE_WRITE_THROUGH on Windows; rename(2) then an fsync of the
// directory elsewhere), so a reader sees the old content or the new, never a mix, and a crash
// leaves no half-written file.
//
// [ReadFile] opens only regular files, without blocking: a FIFO, a device or a directory at
// the path is [ErrNotRegular] at once.
package atomicfile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// RetryFor bounds how long a replace, a removal or an open keeps retrying a sharing violation
// on Windows: long enough for another reader to finish reading a small file, or for an
// antivirus to finish scanning one, short enough for an app's start-up.
const RetryFor = 2 * time.Second

// ErrNotRegular is wrapped when the path names something other than a regular file: a FIFO,
// a device, a socket or a directory.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is wrapped by [ReadFile] when the file holds more than the caller's limit.
var ErrTooLarge = errors.New("file too large")

// ReadFile returns the content of the regular file at path, at most max bytes. It wraps
// fs.ErrNotExist when the file is absent, [ErrNotRegular] when the path is a FIFO, device,
// socket or directory (found without blocking), and [ErrTooLarge] when the file is longer
// than max. On Windows the file is opened with FILE_SHARE_DELETE, so that a concurrent
// replace is not refused because of this reader.
func ReadFile(ctx context.Context, path string, max int64) ([]byte, error) {
	// Opening some devices acts (a watchdog starts counting, a tape rewinds): look first, and
	// check again on the open file in case the path changed in between.
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		return nil, notRegular(path, st.Mode())
	}
	var f *os.File
	err := retry(ctx, func() error {
		var err error
		f, err = openRead(path)
		return err
	})
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, notRegular(path, st.Mode())
	}
	if st.Size() > max {
		return nil, &fs.PathError{Op: "read", Path: path, Err: ErrTooLarge}
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, &fs.PathError{Op: "read", Path: path, Err: ErrTooLarge}
	}
	return b, nil
}

func notRegular(path string, mode fs.FileMode) error {
	return &fs.PathError{Op: "open", Path: path, Err: fmt.Errorf("%w (%v)", ErrNotRegular, mode.Type())}
}

// WriteFile replaces the file at path with data, atomically: a reader sees the old content or
// the new one. perm applies where the OS has Unix permissions. The directory must exist.
func WriteFile(ctx context.Context, path string, data []byte, perm fs.FileMode) error {
	tmp, err := writeTemp(ctx, path, data, perm)
	if err != nil {
		return err
	}
	defer os.Remove(tmp) // fails harmlessly once renamed
	if err := retry(ctx, func() error { return replace(tmp, path) }); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// WriteNew creates the file at path holding data, only if nothing is there yet: when two
// writers race, the first one's content stays and the others get an error wrapping
// fs.ErrExist. A reader never sees a partly written file.
func WriteNew(ctx context.Context, path string, data []byte, perm fs.FileMode) error {
	tmp, err := writeTemp(ctx, path, data, perm)
	if err != nil {
		return err
	}
	// Until it is placed, the temporary file is ours alone, so removing it cannot meet a
	// sharing violation; once placed (a rename on Windows) it is gone already.
	defer os.Remove(tmp)
	if err := placeNew(tmp, path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// Remove removes the file at path, retrying a sharing violation on Windows. It returns nil
// when the file is already absent.
func Remove(ctx context.Context, path string) error {
	err := retry(ctx, func() error { return os.Remove(path) })
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// writeTemp writes data to a new temporary file beside path and syncs it.
func writeTemp(ctx context.Context, path string, data []byte, perm fs.FileMode) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return "", err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// retry runs op until it succeeds, fails with something other than a sharing violation, ctx
// ends, or RetryFor has passed; it returns op's last error.
func retry(ctx context.Context, op func() error) error {
	var start time.Time
	wait := time.Millisecond
	for {
		err := op()
		if err == nil || !isSharingViolation(err) {
			return err
		}
		if start.IsZero() {
			start = time.Now()
		}
		if time.Since(start)+wait > RetryFor {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		if wait < 100*time.Millisecond {
			wait *= 2
		}
	}
}
