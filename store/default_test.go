package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/keyring"
	"github.com/tollgate-dev/tollgate/internal/record"
)

// machine is one user's keychain and config directory, shared by the "starts" (processes) of
// an app; each start makes its own default store over them, as a new process would.
type machine struct {
	t        *testing.T
	keychain *fakeKeyring
	dir      string
	absent   bool
}

func newMachine(t *testing.T) *machine {
	return &machine{t: t, keychain: newFake(), dir: t.TempDir()}
}

// absentKeyring is a keychain on a machine without a session bus.
type absentKeyring struct{ *fakeKeyring }

func (absentKeyring) Available() error { return keyring.ErrNoSessionBus }

func (m *machine) start() *defaultStore {
	var kr Keyring = m.keychain
	if m.absent {
		kr = absentKeyring{m.keychain}
	}
	return newDefaultStore(newKeychain("svc", KeychainOptions{Timeout: time.Second}, kr), NewFile(m.dir), nil)
}

func (m *machine) down(err error) {
	m.keychain.mu.Lock()
	m.keychain.failAll = err
	m.keychain.mu.Unlock()
}

var errLockedFake = errors.New("org.freedesktop.Secret.Error.IsLocked")

func (m *machine) raw(name string) (keychain string, kerr error, file string, ferr error) {
	m.keychain.mu.Lock()
	keychain, ok := m.keychain.items["svc\x00"+name]
	m.keychain.mu.Unlock()
	if !ok {
		kerr = ErrNotFound
	}
	file, ferr = NewFile(m.dir).Load(context.Background(), name)
	return
}

// env is the activation cache's envelope of a record whose token is v, stamped with stamp (0 =
// the next of a clock that only moves forward), as licensing writes it.
func env(v string, stamp int64) string {
	if stamp == 0 {
		stamp = testStamps.Add(1)
	}
	return record.Encode(record.Record{Token: v, Key: "k"}, nil, stamp)
}

var testStamps atomic.Int64

func init() { testStamps.Store(time.Now().UnixNano()) }

// valueOf is the token of an envelope env wrote, or raw as it is.
func valueOf(raw string) string {
	if e, err := record.Decode(raw, nil); err == nil && e.Record != nil {
		return e.Record.Token
	}
	return raw
}

func mustLoad(t *testing.T, s Store, want string) {
	t.Helper()
	got, err := s.Load(context.Background(), "tok")
	if err != nil || valueOf(got) != want {
		t.Fatalf("Load = %q, %v; want %q", got, err, want)
	}
}

func mustSave(t *testing.T, s Store, v string) {
	t.Helper()
	if err := s.Save(context.Background(), "tok", env(v, 0)); err != nil {
		t.Fatalf("Save(%q): %v", v, err)
	}
}

func TestDefaultStoreContract(t *testing.T) {
	t.Parallel()
	m := newMachine(t)
	storeContract(t, m.start())
	m.absent = true // everything in the file
	storeContract(t, m.start())
}

// Up, then down, then up again: what the first start saved is not forgotten while the keychain
// is down (it is unavailable, not absent), the second start's save is kept in the file, and the
// third start sees that newer value, not the keychain's older one, and moves it back.
func TestDefaultStoreUpDownUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := newMachine(t)
	mustSave(t, m.start(), "v1")
	if _, _, _, ferr := m.raw("tok"); !errors.Is(ferr, ErrNotFound) {
		t.Fatalf("the keychain answered, yet a file copy was written: %v", ferr)
	}

	m.down(errLockedFake)
	s2 := m.start()
	if _, err := s2.Load(ctx, "tok"); !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrNotFound) {
		t.Fatalf("keychain locked, nothing in the file: want ErrUnavailable, got %v", err)
	}
	mustSave(t, s2, "v2")
	mustLoad(t, s2, "v2")
	if !strings.Contains(s2.Describe(ctx), "private file") {
		t.Fatalf("Describe while down: %s", s2.Describe(ctx))
	}

	m.down(nil)
	s3 := m.start()
	mustLoad(t, s3, "v2")
	k, kerr, _, ferr := m.raw("tok")
	if kerr != nil || valueOf(k) != "v2" || !errors.Is(ferr, ErrNotFound) {
		t.Fatalf("after coming back: keychain %q %v, file %v; want v2 in the keychain and no file", k, kerr, ferr)
	}
	mustLoad(t, m.start(), "v2")
}

// Down at first, then up: the file's value is seen and moved into the keychain.
func TestDefaultStoreDownUp(t *testing.T) {
	t.Parallel()
	m := newMachine(t)
	m.down(errors.New("org.freedesktop.DBus.Error.ServiceUnknown"))
	mustSave(t, m.start(), "v1")
	m.down(nil)
	mustLoad(t, m.start(), "v1")
	if k, _, _, ferr := m.raw("tok"); valueOf(k) != "v1" || !errors.Is(ferr, ErrNotFound) {
		t.Fatalf("not moved to the keychain: %q, file %v", k, ferr)
	}
}

// Both backends hold different records: the newer stamp wins, whichever backend holds it, and
// the older copy is removed; a value that is not an envelope (an earlier version's) is
// unreadable, and loses to any envelope.
func TestDefaultStoreBothHoldDifferentRecords(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := []struct {
		name, keychain, file, want string
	}{
		{"keychain newer", env("K", 200), env("F", 100), "K"},
		{"file newer", env("K", 100), env("F", 200), "F"},
		{"file an envelope, keychain from an earlier version", "tg1s:300:K", env("F", 1), "F"},
		{"keychain an envelope, file from an earlier version", env("K", 1), "tg1s:300:F", "K"},
		{"same stamp", env("K", 100), env("F", 100), "K"},
		{"file tombstone newer", env("K", 100), record.EncodeTombstone(200), ""},
		{"file tombstone older", env("K", 300), record.EncodeTombstone(200), "K"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m := newMachine(t)
			raw := newKeychain("svc", KeychainOptions{}, m.keychain)
			if err := raw.Save(ctx, "tok", c.keychain); err != nil {
				t.Fatal(err)
			}
			if err := NewFile(m.dir).Save(ctx, "tok", c.file); err != nil {
				t.Fatal(err)
			}
			s := m.start()
			got, err := s.Load(ctx, "tok")
			if c.want == "" {
				if !errors.Is(err, ErrNotFound) {
					t.Fatalf("Load = %q, %v; want ErrNotFound", got, err)
				}
			} else if err != nil || valueOf(got) != c.want {
				t.Fatalf("Load = %q, %v; want %q", got, err, c.want)
			}
			// Settled: one copy, in the keychain (or none), and a second start agrees.
			k, kerr, f, ferr := m.raw("tok")
			if !errors.Is(ferr, ErrNotFound) {
				t.Fatalf("the file still holds %q", f)
			}
			if c.want == "" && !errors.Is(kerr, ErrNotFound) {
				t.Fatalf("deleted, yet the keychain holds %q", k)
			}
			again, err := m.start().Load(ctx, "tok")
			if (c.want == "") != errors.Is(err, ErrNotFound) || valueOf(again) != c.want {
				t.Fatalf("second start: %q, %v", again, err)
			}
			// A save after this is newer than both.
			mustSave(t, s, "next")
			mustLoad(t, m.start(), "next")
		})
	}
}

// A sign-out while the keychain is down is not undone when it comes back.
func TestDefaultStoreDeleteWhileDown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := newMachine(t)
	mustSave(t, m.start(), "v1")
	m.down(errLockedFake)
	s := m.start()
	if err := s.Delete(ctx, "tok"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, "tok"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after Delete while down: %v", err)
	}
	m.down(nil)
	if _, err := m.start().Load(ctx, "tok"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the keychain's old value came back: %v", err)
	}
	if _, kerr, _, ferr := m.raw("tok"); !errors.Is(kerr, ErrNotFound) || !errors.Is(ferr, ErrNotFound) {
		t.Fatalf("not cleaned up: keychain %v, file %v", kerr, ferr)
	}
}

// No session bus: the keychain is never called, the file is used at once, and nothing cached
// is ErrNotFound (nothing can be hidden in a keychain that does not exist).
func TestDefaultStoreAbsentKeychain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := newMachine(t)
	m.absent = true
	var logged strings.Builder
	s := m.start()
	s.logger = newTextLogger(&logged)
	if _, err := s.Load(ctx, "tok"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Load: %v", err)
	}
	mustSave(t, s, "v1")
	mustSave(t, s, "v2")
	mustLoad(t, s, "v2")
	if n := m.keychain.calls; n != 0 {
		t.Fatalf("the absent keychain was called %d times", n)
	}
	if n := strings.Count(logged.String(), "level=INFO"); n != 1 {
		t.Fatalf("want one info line, got %d:\n%s", n, logged.String())
	}
	if d := s.Describe(ctx); !strings.Contains(d, "no OS keychain") {
		t.Fatalf("Describe: %s", d)
	}
	// The same user's desktop session later: the keychain is there and takes the value over.
	m.absent = false
	mustLoad(t, m.start(), "v2")
	if k, _, _, _ := m.raw("tok"); valueOf(k) != "v2" {
		t.Fatalf("keychain holds %q", k)
	}
}

// A corrupt keychain value does not hide a good file value.
func TestDefaultStoreCorruptKeychain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := newMachine(t)
	m.keychain.items["svc\x00tok"] = manifestStart + "garbage}" // a manifest that does not read
	if _, err := m.start().Load(ctx, "tok"); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("want ErrCorrupt, got %v", err)
	}
	if err := NewFile(m.dir).Save(ctx, "tok", env("F", 5)); err != nil {
		t.Fatal(err)
	}
	mustLoad(t, m.start(), "F")
	mustLoad(t, m.start(), "F")
}

// Within one process: the keychain fails, calls stop for the backoff, and once it has passed a
// success resets it and the file's value moves back.
func TestDefaultStoreRecoversInProcess(t *testing.T) {
	t.Parallel()
	m := newMachine(t)
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	k := newKeychain("svc", KeychainOptions{}, m.keychain)
	k.now = clock
	s := newDefaultStore(k, NewFile(m.dir), nil)
	mustSave(t, s, "v1")
	m.down(errLockedFake)
	mustSave(t, s, "v2") // to the file
	calls := m.keychain.calls
	for range 100 {
		mustLoad(t, s, "v2")
	}
	if n := m.keychain.calls - calls; n != 0 {
		t.Fatalf("%d keychain calls while backing off", n)
	}
	m.down(nil)
	advance(DefaultKeychainBackoff)
	mustLoad(t, s, "v2")
	if kv, _, _, ferr := m.raw("tok"); valueOf(kv) != "v2" || !errors.Is(ferr, ErrNotFound) {
		t.Fatalf("after recovery: keychain %q, file %v", kv, ferr)
	}
}

// A locked keychain and a file that holds no envelope: unavailable, not corrupt, since the
// keychain may hold a good value. Without a keychain, the file's value is the answer.
func TestDefaultStoreLockedKeychainBadFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := newMachine(t)
	mustSave(t, m.start(), "v1")
	p, _ := NewFile(m.dir).(*fileStore).path("tok")
	if err := os.WriteFile(p, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	m.down(errLockedFake)
	if _, err := m.start().Load(ctx, "tok"); !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrCorrupt) {
		t.Fatalf("locked keychain, bad file: %v", err)
	}
	// Without a keychain the file is all there is: its value is returned as it is, and its
	// reader (licensing's envelope) finds it is not one.
	m.absent = true
	if v, err := m.start().Load(ctx, "tok"); err != nil || v != "garbage" {
		t.Fatalf("no keychain, bad file: %q, %v", v, err)
	}
	m.absent = false
	m.down(nil)
	mustLoad(t, m.start(), "v1")
}

// A session bus without a Secret Service (or one without a default collection) is no keychain,
// not a failing one: nothing cached is ErrNotFound, and the file answers.
func TestDefaultStoreNoSecretService(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := newMachine(t)
	m.down(fmt.Errorf("%w: %w: no Secret Service on the session bus", ErrUnavailable, keyring.ErrNoKeychain))
	s := m.start()
	if _, err := s.Load(ctx, "tok"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("want ErrNotFound, got %v", err)
	}
	mustSave(t, s, "v1")
	mustLoad(t, s, "v1")
	// Later calls back off; the answer stays the same.
	if _, err := m.start().Load(ctx, "tok"); err != nil {
		t.Fatal(err)
	}
}

// CheckAppName takes one plain folder name on every OS and nothing else, and the default
// store's file refuses to work under a name it refuses (no path outside the config folder).
func TestCheckAppName(t *testing.T) {
	t.Parallel()
	for _, good := range []string{"Acme Editor", "com.acme.editor", "0b6f7f0e-3c1d-4a55-9d4e-2a1f6c8e9b10", "Éditeur", "CONSOLE", "COM0"} {
		if err := CheckAppName(good); err != nil {
			t.Errorf("%q: %v", good, err)
		}
	}
	for _, bad := range []string{"", ".", "..", "../evil", "a/b", `a\b`, "c:x", "a\x00b", "a\nb", "what?", "a*", `"q"`, "<a>", "a|b",
		"trailing.", "trailing ", "CON", "nul", "Aux.txt", "COM1", "lpt9.log", strings.Repeat("a", 256), "\xff"} {
		if err := CheckAppName(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	s := NewDefault("../evil", nil)
	if err := s.(*defaultStore).file.Save(context.Background(), "tok", "v"); err == nil || !strings.Contains(err.Error(), "app name") {
		t.Fatalf("a file store under ../evil: %v", err)
	}
}
