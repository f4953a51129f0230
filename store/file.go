package store

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/tollgate-dev/tollgate/internal/atomicfile"
)

// maxFileValue bounds what the file store reads.
const maxFileValue = 4 << 20

// ErrInsecureStore is wrapped by the file store's Load and Save when its directory can be
// written by other local users and cannot be made private: they could replace, remove or plant
// the cached value.
var ErrInsecureStore = errors.New("store: file store directory is writable by others")

// NewFile returns a Store that keeps each value in a private file under dir. dir ""
// means os.UserConfigDir()/tollgate: ~/.config/tollgate on Linux, ~/Library/Application
// Support/tollgate on macOS, %AppData%\tollgate on Windows.
//
// Each value is written to a temporary file and moved into place, so that a reader or a crash
// sees the old value or the new one, never a mix; the file holds the value as given. Two processes may read and save at once; on Windows a reader holding the file (this
// store, another instance of the app, an antivirus) does not make a save fail: files are read
// with FILE_SHARE_DELETE and a replace is retried for up to two seconds.
//
// Load opens only regular files, without blocking: a FIFO, device or directory where a value
// should be wraps [ErrCorrupt] at once.
//
// Who can read it: on Unix the file is mode 0600 in a directory of mode 0700; Save tightens a
// directory of the user's own that others could enter, and refuses, wrapping
// [ErrInsecureStore], one owned by another user or writable by others that it cannot tighten;
// Load does the same with a directory that exists.
// On Windows, modes mean nothing: what protects the file is the ACL of the per-user %AppData%
// folder, which grants access to the user, SYSTEM and Administrators only and is inherited by
// the store's directory. Load and Save refuse a directory owned by another user, or whose ACL
// lets Everyone, Users, Authenticated Users, Guests or Anonymous write it.
func NewFile(dir string) Store { return &fileStore{dir: dir} }

type fileStore struct {
	dir string // "" = os.UserConfigDir()/sub
	sub string // "" = "tollgate"
}

func (f *fileStore) path(name string) (string, error) {
	dir := f.dir
	if dir == "" {
		d, err := os.UserConfigDir()
		if err != nil {
			return "", fmt.Errorf("store: file: %w", err)
		}
		sub := f.sub
		if sub == "" {
			sub = "tollgate"
		} else if err := CheckAppName(sub); err != nil {
			return "", err
		}
		dir = filepath.Join(d, sub)
	}
	// Hex keeps any name a safe, portable file name.
	return filepath.Join(dir, "v1-"+hex.EncodeToString([]byte(name))), nil
}

func (f *fileStore) Load(ctx context.Context, name string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	p, err := f.path(name)
	if err != nil {
		return "", err
	}
	// A directory others could write is tightened or refused before anything in it is trusted.
	if err := atomicfile.CheckPrivate(filepath.Dir(p)); errors.Is(err, fs.ErrNotExist) {
		return "", ErrNotFound
	} else if err != nil {
		return "", dirError(err)
	}
	b, err := atomicfile.ReadFile(ctx, p, maxFileValue)
	if errors.Is(err, fs.ErrNotExist) {
		return "", ErrNotFound
	}
	if errors.Is(err, atomicfile.ErrTooLarge) {
		return "", fmt.Errorf("store: file: %w: file too large", ErrCorrupt)
	}
	if errors.Is(err, atomicfile.ErrNotRegular) {
		// A FIFO, device or directory where the value should be: not a tollgate file.
		return "", fmt.Errorf("store: file: %w: %w", ErrCorrupt, err)
	}
	if err != nil {
		return "", fmt.Errorf("store: file: %w", err)
	}
	return string(b), nil
}

func (f *fileStore) Save(ctx context.Context, name, value string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p, err := f.path(name)
	if err != nil {
		return err
	}
	if err := atomicfile.MkdirPrivate(filepath.Dir(p)); err != nil {
		return dirError(err)
	}
	if err := atomicfile.WriteFile(ctx, p, []byte(value), 0o600); err != nil {
		return fmt.Errorf("store: file: %w", err)
	}
	return nil
}

// dirError wraps an error of the store's directory, ErrInsecureStore when others can write it.
func dirError(err error) error {
	if errors.Is(err, atomicfile.ErrInsecureDir) {
		return fmt.Errorf("store: file: %w: %w", ErrInsecureStore, err)
	}
	return fmt.Errorf("store: file: %w", err)
}

func (f *fileStore) Delete(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p, err := f.path(name)
	if err != nil {
		return err
	}
	if err := atomicfile.Remove(ctx, p); err != nil {
		return fmt.Errorf("store: file: %w", err)
	}
	return nil
}

func (f *fileStore) Describe(context.Context) string {
	p, err := f.path("")
	if err != nil {
		return "private file store (no config directory: " + err.Error() + ")"
	}
	return "private file in " + filepath.Dir(p)
}
