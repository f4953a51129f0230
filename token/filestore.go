package token

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// maxFileValue bounds what the file store reads.
const maxFileValue = 4 << 20

const filePrefix = "tg1f:"

// NewFileStore returns a Store that keeps each value in a private file under dir: mode 0600 in
// a 0700 directory, written to a temporary file and renamed into place, so that a crash leaves
// the old value or the new one, never a mix. Each file holds the value's SHA-256, checked on
// read. dir "" means os.UserConfigDir()/tollgate.
func NewFileStore(dir string) Store { return &fileStore{dir: dir} }

type fileStore struct{ dir string }

func (f *fileStore) path(name string) (string, error) {
	dir := f.dir
	if dir == "" {
		d, err := os.UserConfigDir()
		if err != nil {
			return "", fmt.Errorf("token: file store: %w", err)
		}
		dir = filepath.Join(d, "tollgate")
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
	fh, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("token: file store: %w", err)
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, maxFileValue+1))
	if err != nil {
		return "", fmt.Errorf("token: file store: %w", err)
	}
	if len(b) > maxFileValue {
		return "", fmt.Errorf("token: file store: %w: file too large", ErrCorrupt)
	}
	s := string(b)
	if !strings.HasPrefix(s, filePrefix) {
		return "", fmt.Errorf("token: file store: %w: not a tollgate file", ErrCorrupt)
	}
	sum, value, ok := strings.Cut(s[len(filePrefix):], "\n")
	if !ok || checksum(value) != sum {
		return "", fmt.Errorf("token: file store: %w: checksum mismatch", ErrCorrupt)
	}
	return value, nil
}

func (f *fileStore) Save(ctx context.Context, name, value string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p, err := f.path(name)
	if err != nil {
		return err
	}
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("token: file store: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("token: file store: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	_, werr := tmp.WriteString(filePrefix + checksum(value) + "\n" + value)
	if werr == nil {
		werr = tmp.Chmod(0o600)
	}
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), p)
	}
	if werr != nil {
		return fmt.Errorf("token: file store: %w", werr)
	}
	return nil
}

func (f *fileStore) Delete(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p, err := f.path(name)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("token: file store: %w", err)
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
