//go:build unix

package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestFileStoreNotRegular: a FIFO, a device or a directory where the store keeps a value is
// ErrCorrupt within the ctx deadline. Opening a FIFO the usual way waits for a writer forever.
func TestFileStoreNotRegular(t *testing.T) {
	t.Parallel()
	s := NewFile(filepath.Join(t.TempDir(), "cfg"))
	p, _ := s.(*fileStore).path("tok")
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		make func() error
	}{
		{"fifo", func() error { return syscall.Mkfifo(p, 0o600) }},
		{"device", func() error { return os.Symlink("/dev/zero", p) }},
		{"directory", func() error { return os.Mkdir(p, 0o700) }},
	} {
		os.Remove(p)
		if err := c.make(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		done := make(chan error, 1)
		go func() { _, err := s.Load(ctx, "tok"); done <- err }()
		select {
		case err := <-done:
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("%s: Load = %v, want ErrCorrupt", c.name, err)
			}
		case <-time.After(5 * time.Second):
			if w, err := os.OpenFile(p, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
				w.Close() // releases the blocked open
			}
			<-done
			t.Errorf("%s: Load blocked past its 2 s deadline", c.name)
		}
		cancel()
	}
	// Save replaces what is there with a regular file (a directory cannot be replaced).
	os.Remove(p)
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Save(ctx, "tok", "value"); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Load(ctx, "tok"); err != nil || v != "value" {
		t.Fatalf("after Save over a FIFO: %q, %v", v, err)
	}
}

// TestFileStoreDirectoryOthersCanWrite: a store directory of the user's own that others can
// write is tightened to 0700 by Save and by Load; a shared one (sticky, world-writable, like
// /tmp) and one owned by another user are refused with ErrInsecureStore, and nothing is read
// from or written in them.
func TestFileStoreDirectoryOthersCanWrite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	base := t.TempDir()

	open := filepath.Join(base, "open")
	mkdirChmod(t, open, 0o777)
	if err := NewFile(open).Save(ctx, "tok", "v"); err != nil {
		t.Fatalf("own directory, mode 0777: %v", err)
	}
	if st, _ := os.Stat(open); st.Mode().Perm() != 0o700 {
		t.Errorf("own directory not tightened by Save: mode %v", st.Mode().Perm())
	}
	if err := os.Chmod(open, 0o777); err != nil {
		t.Fatal(err)
	}
	if v, err := NewFile(open).Load(ctx, "tok"); err != nil || v != "v" {
		t.Fatalf("Load in own directory, mode 0777: %q, %v", v, err)
	}
	if st, _ := os.Stat(open); st.Mode().Perm() != 0o700 {
		t.Errorf("own directory not tightened by Load: mode %v", st.Mode().Perm())
	}

	shared := filepath.Join(base, "shared")
	mkdirChmod(t, shared, 0o777|os.ModeSticky)
	if err := NewFile(shared).Save(ctx, "tok", "v"); !errors.Is(err, ErrInsecureStore) {
		t.Errorf("shared directory (mode 1777): Save = %v, want ErrInsecureStore", err)
	}
	if entries, _ := os.ReadDir(shared); len(entries) != 0 {
		t.Errorf("written into a shared directory: %v", entries)
	}
	planted := NewFile(shared)
	p, _ := planted.(*fileStore).path("tok")
	if err := os.WriteFile(p, []byte("planted"), 0o600); err != nil {
		t.Fatal(err)
	}
	if v, err := planted.Load(ctx, "tok"); !errors.Is(err, ErrInsecureStore) {
		t.Errorf("Load of a value in a shared directory: %q, %v; want ErrInsecureStore", v, err)
	}

	if os.Geteuid() == 0 { // giving a directory to another user needs root (as in CI)
		other := filepath.Join(base, "other")
		mkdirChmod(t, other, 0o755)
		if err := os.Chown(other, 4242, 4242); err != nil {
			t.Fatal(err)
		}
		if err := NewFile(other).Save(ctx, "tok", "v"); !errors.Is(err, ErrInsecureStore) {
			t.Errorf("directory of uid 4242: Save = %v, want ErrInsecureStore", err)
		}
		if _, err := NewFile(other).Load(ctx, "tok"); !errors.Is(err, ErrInsecureStore) {
			t.Errorf("directory of uid 4242: Load = %v, want ErrInsecureStore", err)
		}
	}
}

func mkdirChmod(t *testing.T, dir string, mode os.FileMode) {
	t.Helper()
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, mode); err != nil {
		t.Fatal(err)
	}
}
