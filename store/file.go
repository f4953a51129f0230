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

// NewFile returns a Store that keeps each value in a private file under dir, replaced whole
// on each save. dir "" means os.UserConfigDir()/tollgate. A directory that other users could
// write is tightened or refused with [ErrInsecureStore] (see the package doc, "Files").
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
