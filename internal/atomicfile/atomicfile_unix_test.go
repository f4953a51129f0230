//go:build unix

package atomicfile

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestReadFileDoesNotBlock: a FIFO or a device where a file should be is refused at once.
// os.Open of a FIFO waits for a writer, for ever.
func TestReadFileDoesNotBlock(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	dev := filepath.Join(dir, "dev")
	if err := os.Symlink("/dev/null", dev); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{fifo, dev} {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		done := make(chan error, 1)
		go func() { _, err := ReadFile(ctx, path, 100); done <- err }()
		select {
		case err := <-done:
			if !errors.Is(err, ErrNotRegular) {
				t.Errorf("%s: %v, want ErrNotRegular", filepath.Base(path), err)
			}
		case <-time.After(5 * time.Second):
			// Release the blocked open so the goroutine ends.
			if w, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
				w.Close()
			}
			<-done
			t.Errorf("%s: ReadFile blocked past its 2 s deadline", filepath.Base(path))
		}
		cancel()
	}
}

func TestMkdirPrivate(t *testing.T) {
	t.Parallel()
	base := t.TempDir()

	fresh := filepath.Join(base, "a", "b")
	if err := MkdirPrivate(fresh); err != nil {
		t.Fatal(err)
	}
	assertMode(t, fresh, 0o700)

	open := filepath.Join(base, "open")
	mkdirMode(t, open, 0o777)
	if err := MkdirPrivate(open); err != nil {
		t.Fatalf("a directory of our own, mode 0777: %v", err)
	}
	assertMode(t, open, 0o700)

	shared := filepath.Join(base, "shared")
	mkdirMode(t, shared, 0o777|os.ModeSticky)
	if err := MkdirPrivate(shared); !errors.Is(err, ErrInsecureDir) {
		t.Fatalf("a shared directory (mode 1777): %v, want ErrInsecureDir", err)
	}
	if st, _ := os.Stat(shared); st.Mode()&os.ModeSticky == 0 || st.Mode().Perm() != 0o777 {
		t.Errorf("a shared directory was changed to %v", st.Mode())
	}

	file := filepath.Join(base, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := MkdirPrivate(file); err == nil {
		t.Fatal("a regular file accepted as a directory")
	}
}

// TestMkdirPrivateOthers: directories owned by another user. Changing a directory's owner
// needs root, so this runs in CI (as root) and skips elsewhere.
func TestMkdirPrivateOthers(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("needs root to give a directory to another user")
	}
	base := t.TempDir()
	for _, mode := range []fs.FileMode{0o700, 0o755, 0o777} {
		dir := filepath.Join(base, mode.String())
		mkdirMode(t, dir, mode)
		if err := os.Chown(dir, 4242, 4242); err != nil {
			t.Fatal(err)
		}
		if err := MkdirPrivate(dir); !errors.Is(err, ErrInsecureDir) {
			t.Errorf("owned by uid 4242, mode %v: %v, want ErrInsecureDir", mode, err)
		}
	}
}

func mkdirMode(t *testing.T, dir string, mode fs.FileMode) {
	t.Helper()
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, mode); err != nil { // not subject to the umask
		t.Fatal(err)
	}
}

func assertMode(t *testing.T, dir string, want fs.FileMode) {
	t.Helper()
	st, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != want {
		t.Errorf("%s: mode %v, want %v", dir, st.Mode().Perm(), want)
	}
}

// TestOpenReadFIFO: should the path become a FIFO between ReadFile's look and its open, the
// open itself still returns at once.
func TestOpenReadFIFO(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		f, err := openRead(fifo)
		if err == nil {
			f.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("openRead of a FIFO: %v", err)
		}
	case <-time.After(5 * time.Second):
		if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
		<-done
		t.Fatal("openRead of a FIFO blocked")
	}
}
