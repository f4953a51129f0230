package atomicfile

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestReplaceWhileReading: writers replace one file while readers read it; every operation
// succeeds and every read is one whole value that was written.
func TestReplaceWhileReading(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "f")
	written := map[string]bool{"start": true}
	for w := 0; w < 4; w++ {
		written[fmt.Sprintf("%d:%s", w, strings.Repeat("v", 5000*(w+1)))] = true
	}
	if err := WriteFile(ctx, path, []byte("start"), 0o600); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1000)
	var wg sync.WaitGroup
	for v := range written {
		wg.Add(2)
		go func(v string) { // a writer
			defer wg.Done()
			for i := 0; i < 40; i++ {
				if err := WriteFile(ctx, path, []byte(v), 0o600); err != nil {
					errc <- err
				}
			}
		}(v)
		go func() { // a reader
			defer wg.Done()
			for i := 0; i < 40; i++ {
				b, err := ReadFile(ctx, path, 1<<20)
				if err != nil {
					errc <- err
				} else if !written[string(b)] {
					errc <- fmt.Errorf("read %d bytes that nobody wrote", len(b))
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	var n int
	var first error
	for err := range errc {
		if n++; first == nil {
			first = err
		}
	}
	if n > 0 {
		t.Fatalf("%d operations failed; first: %v", n, first)
	}
	assertOnly(t, filepath.Dir(path), "f")
}

// TestWriteNewFirstWins: of concurrent creators exactly one succeeds, and its content stays.
func TestWriteNewFirstWins(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "id")
	var wg sync.WaitGroup
	results := make([]error, 8)
	for i := range results {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results[i] = WriteNew(ctx, path, []byte(fmt.Sprint("writer ", i)), 0o600)
		}(i)
	}
	wg.Wait()
	winner := -1
	for i, err := range results {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("writers %d and %d both created the file", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, fs.ErrExist):
			t.Fatalf("writer %d: %v, want fs.ErrExist", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no writer created the file")
	}
	b, err := ReadFile(ctx, path, 100)
	if err != nil || string(b) != fmt.Sprint("writer ", winner) {
		t.Fatalf("content %q, %v; want writer %d's", b, err, winner)
	}
	assertOnly(t, filepath.Dir(path), "id")
}

func TestReadFileRefuses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := ReadFile(ctx, filepath.Join(dir, "absent"), 10); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("absent: %v, want fs.ErrNotExist", err)
	}
	if _, err := ReadFile(ctx, dir, 10); !errors.Is(err, ErrNotRegular) {
		t.Errorf("directory: %v, want ErrNotRegular", err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, 11), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(ctx, big, 10); !errors.Is(err, ErrTooLarge) {
		t.Errorf("11 bytes with a limit of 10: %v, want ErrTooLarge", err)
	}
	if b, err := ReadFile(ctx, big, 11); err != nil || len(b) != 11 {
		t.Errorf("11 bytes with a limit of 11: %d bytes, %v", len(b), err)
	}
	if err := Remove(ctx, filepath.Join(dir, "absent")); err != nil {
		t.Errorf("Remove of an absent file: %v", err)
	}
}

// TestReplaceWhileHeldByOthers: a reader that did not share deletion (os.Open, an antivirus)
// holds the file for a moment; the replace and the removal wait for it instead of failing.
func TestReplaceWhileHeldByOthers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "f")
	if err := WriteFile(ctx, path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, op := range []struct {
		name string
		do   func() error
	}{
		{"replace", func() error { return WriteFile(ctx, path, []byte("new"), 0o600) }},
		{"remove", func() error { return Remove(ctx, path) }},
	} {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		timer := time.AfterFunc(300*time.Millisecond, func() { f.Close() })
		err = op.do()
		timer.Stop()
		f.Close()
		if err != nil {
			t.Fatalf("%s while another handle held the file for 300 ms: %v", op.name, err)
		}
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("after remove: %v", err)
	}
}

func assertOnly(t *testing.T, dir string, want ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if fmt.Sprint(names) != fmt.Sprint(want) {
		t.Errorf("%s holds %q, want %q (temporary files left behind?)", dir, names, want)
	}
}
