package store

import (
	"context"
	"errors"
	"runtime"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/keyring"
)

// FuzzKeychainEntry: any item under the name (inline value, manifest or garbage), with any two
// chunks under the generation it names, loads as a value or ErrCorrupt: never a panic, never
// another error, and never an allocation over a fixed cap, whatever sizes it declares (the
// memory cap: TotalAlloc over one Load is checked against it for every input). A value it
// returns saves and loads back unchanged.
func FuzzKeychainEntry(f *testing.F) {
	sum := checksum("hello world")
	f.Add("hello world", "", "")
	f.Add(rawManifest("abcd", "2", "11", sum), "hello", " world")
	f.Add(rawManifest("abcd", "1", "274877906944", sum), "hello", "")
	f.Add(rawManifest("abcd", "4096", "1048576", sum), "x", "y")
	f.Add(rawManifest("abcd", "2", "11", sum), "hello world", "")
	f.Add(manifestStart+`{}}`, "", "")
	f.Add(manifestStart, "", "")
	const capBytes = 3*keyring.MaxValue + 1<<20
	f.Fuzz(func(t *testing.T, entry, chunk0, chunk1 string) {
		fk := newFake()
		fk.maxSize = 0
		fk.items["svc\x00tok"] = entry
		gen := "abcd"
		if m, chunked, err := parseEntry(entry); err == nil && chunked {
			gen = m.Gen
		}
		fk.items["svc\x00"+chunkName("tok", gen, 0)] = chunk0
		fk.items["svc\x00"+chunkName("tok", gen, 1)] = chunk1
		s := newKeychain("svc", KeychainOptions{}, fk)
		ctx := context.Background()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		v, err := s.Load(ctx, "tok")
		runtime.ReadMemStats(&after)
		if grew := after.TotalAlloc - before.TotalAlloc; grew > capBytes+uint64(8*(len(entry)+len(chunk0)+len(chunk1))) {
			t.Fatalf("Load allocated %d bytes", grew)
		}
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error outside the categories: %v", err)
			}
			return
		}
		if err := s.Save(ctx, "tok2", v); err != nil {
			t.Fatal(err)
		}
		if again, err := s.Load(ctx, "tok2"); err != nil || again != v {
			t.Fatalf("round trip of a loaded value: %v", err)
		}
	})
}

// FuzzParseEntry: any keychain item parses to a value, a manifest or ErrCorrupt, and a
// manifest's numbers are always within bounds.
func FuzzParseEntry(f *testing.F) {
	f.Add("v")
	f.Add(rawManifest("0011223344556677", "5", "12000", checksum("x")))
	f.Add(rawManifest("g", "-1", "-1", ""))
	f.Add("hunter2")
	f.Fuzz(func(t *testing.T, s string) {
		m, chunked, err := parseEntry(s)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error outside the categories: %v", err)
			}
			return
		}
		if chunked && (m.Count < 1 || m.Count > maxChunks || m.Length < m.Count || m.Length > keyring.MaxValue || len(m.Sum) != 64) {
			t.Fatalf("manifest out of bounds: %+v", m)
		}
	})
}

// rawManifest is a manifest item with its numbers as given, however out of range.
func rawManifest(gen, count, length, sum string) string {
	return manifestStart + `{"gen":"` + gen + `","count":` + count + `,"length":` + length + `,"sha256":"` + sum + `"}}`
}
