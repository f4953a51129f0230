package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestFileStoreConcurrentReadersAndWriters: two instances of an app starting at once read and
// save the same name. On Windows, before reads shared deletion and replaces were retried, a
// quarter of these operations failed with "rename ...: Access denied".
func TestFileStoreConcurrentReadersAndWriters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := NewFile(filepath.Join(t.TempDir(), "cfg"))
	values := map[string]bool{}
	for w := 0; w < 4; w++ {
		values[fmt.Sprintf("writer-%d:%s", w, strings.Repeat("x", 3000+w))] = true
	}
	if err := s.Save(ctx, "tok", "initial"); err != nil {
		t.Fatal(err)
	}
	values["initial"] = true
	const rounds = 50
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		failures = append(failures, fmt.Sprintf(format, args...))
	}
	w := 0
	for v := range values {
		if v == "initial" {
			continue
		}
		wg.Add(1)
		go func(w int, v string) {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				if err := s.Save(ctx, "tok", v); err != nil {
					fail("writer %d: %v", w, err)
				}
			}
		}(w, v)
		w++
	}
	for r := 0; r < 4; r++ {
		wg.Add(1)
		go func(r int) {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				got, err := s.Load(ctx, "tok")
				if err != nil {
					fail("reader %d: %v", r, err)
				} else if !values[got] {
					fail("reader %d read a value nobody wrote (%d bytes)", r, len(got))
				}
			}
		}(r)
	}
	wg.Wait()
	if n := len(failures); n > 0 {
		t.Fatalf("%d of %d operations failed; first: %s", n, 8*rounds, failures[0])
	}
	p, _ := s.(*fileStore).path("tok")
	entries, err := os.ReadDir(filepath.Dir(p))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("want only the value's file, found %q", names)
	}
	if err := s.Delete(ctx, "tok"); err != nil {
		t.Fatal(err)
	}
}

// TestFileStoreDeleteWhileRead: a reader holding the file does not stop Delete.
func TestFileStoreDeleteWhileRead(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := NewFile(filepath.Join(t.TempDir(), "cfg"))
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for i := 0; i < 30; i++ {
		if err := s.Save(ctx, "tok", "value"); err != nil {
			t.Fatal(err)
		}
		wg.Add(2)
		go func() {
			defer wg.Done()
			if _, err := s.Load(ctx, "tok"); err != nil && !errors.Is(err, ErrNotFound) {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
		go func() {
			defer wg.Done()
			if err := s.Delete(ctx, "tok"); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
		wg.Wait()
		if _, err := s.Load(ctx, "tok"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("round %d: after Delete, Load = %v", i, err)
		}
	}
	if len(errs) > 0 {
		t.Fatalf("%d failures; first: %v", len(errs), errs[0])
	}
}
