package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
	"go.uber.org/goleak"
)

// TestMain checks that no test leaves a goroutine behind, the Secret Service client's D-Bus
// connections included: each is closed when its call ends.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeKeyring imitates go-keyring: a size limit like Windows', failures, crashes and hangs.
type fakeKeyring struct {
	mu      sync.Mutex
	items   map[string]string
	maxSize int           // Set refuses larger secrets with ErrSetDataTooBig
	crashAt int           // the crashAt-th Set from now panics, as a process dying would
	hang    chan struct{} // when set, every call blocks until it is closed
	failAll error
	sets    int
	calls   int // every call, counted before it waits or fails
}

func newFake() *fakeKeyring { return &fakeKeyring{items: map[string]string{}, maxSize: 2560} }

func (f *fakeKeyring) wait() {
	f.mu.Lock()
	f.calls++
	h := f.hang
	f.mu.Unlock()
	if h != nil {
		<-h
	}
}

func (f *fakeKeyring) Set(s, u, p string) error {
	f.wait()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failAll != nil {
		return f.failAll
	}
	if f.maxSize > 0 && len(p) > f.maxSize {
		return keyring.ErrSetDataTooBig
	}
	f.sets++
	if f.crashAt > 0 && f.sets == f.crashAt {
		panic("simulated crash")
	}
	f.items[s+"\x00"+u] = p
	return nil
}

func (f *fakeKeyring) Get(s, u string) (string, error) {
	f.wait()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failAll != nil {
		return "", f.failAll
	}
	v, ok := f.items[s+"\x00"+u]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (f *fakeKeyring) Delete(s, u string) error {
	f.wait()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failAll != nil {
		return f.failAll
	}
	if _, ok := f.items[s+"\x00"+u]; !ok {
		return keyring.ErrNotFound
	}
	delete(f.items, s+"\x00"+u)
	return nil
}

func (f *fakeKeyring) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.items)
}

// storeContract is what every Store must do.
func storeContract(t *testing.T, s Store) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.Load(ctx, "missing"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Load of a missing name: %v", err)
	}
	if err := s.Delete(ctx, "missing"); err != nil {
		t.Fatalf("Delete of a missing name: %v", err)
	}
	values := []string{"", "small", strings.Repeat("x", 10<<10), "ünïcødé 😀 \x00 binary-ish\n",
		strings.Repeat("0123456789", 2560/10) /* exactly the Windows limit */}
	for i, v := range values {
		name := fmt.Sprintf("name/%d with spaces:é", i)
		if err := s.Save(ctx, name, v); err != nil {
			t.Fatalf("Save %d (%d bytes): %v", i, len(v), err)
		}
		got, err := s.Load(ctx, name)
		if err != nil || got != v {
			t.Fatalf("Load %d: %d bytes, %v; want %d bytes", i, len(got), err, len(v))
		}
	}
	// Overwrite large with small and small with large.
	for _, v := range []string{strings.Repeat("y", 7000), "tiny", strings.Repeat("z", 12000)} {
		if err := s.Save(ctx, "over", v); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Load(ctx, "over"); err != nil || got != v {
			t.Fatalf("overwrite: %d bytes, %v", len(got), err)
		}
	}
	for i := range values {
		if err := s.Delete(ctx, fmt.Sprintf("name/%d with spaces:é", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Delete(ctx, "over"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, "over"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Load after Delete: %v", err)
	}
}

func TestMemoryStore(t *testing.T) { t.Parallel(); storeContract(t, NewMemory()) }

func TestFileStore(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "cfg")
	s := NewFile(dir)
	storeContract(t, s)
	ctx := context.Background()
	if err := s.Save(ctx, "tok", "value"); err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		st, _ := os.Stat(dir)
		if st.Mode().Perm() != 0o700 {
			t.Errorf("dir mode %v", st.Mode().Perm())
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			info, _ := e.Info()
			if info.Mode().Perm() != 0o600 || strings.HasPrefix(e.Name(), ".tmp") {
				t.Errorf("%s: mode %v", e.Name(), info.Mode().Perm())
			}
		}
	}
	// The file holds the value as given: what it holds is checked by its reader (licensing's
	// envelope), and a directory in its place is not a value.
	p, _ := s.(*fileStore).path("tok")
	os.WriteFile(p, []byte("any value"), 0o600)
	if v, err := s.Load(ctx, "tok"); err != nil || v != "any value" {
		t.Errorf("Load = %q, %v", v, err)
	}
	os.Remove(p)
	os.Mkdir(p, 0o700)
	if _, err := s.Load(ctx, "tok"); !errors.Is(err, ErrCorrupt) {
		t.Errorf("a directory in the value's place: %v", err)
	}
}

func TestKeychainChunking(t *testing.T) {
	t.Parallel()
	f := newFake()
	s := newKeychain("svc", KeychainOptions{ChunkSize: 2560}, f) // chunking forced at the Windows limit
	storeContract(t, s)
	if n := f.count(); n != 0 {
		t.Fatalf("%d items left after deleting everything (orphaned chunks)", n)
	}
	// The default chunk size stays under the limit too.
	storeContract(t, newKeychain("svc", KeychainOptions{}, f))
}

func TestKeychainCrashMidWrite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v1, v2 := strings.Repeat("1", 9000), strings.Repeat("2", 9000)
	for crash := 1; crash <= 5; crash++ { // 4 chunks, then the manifest
		f := newFake()
		s := newKeychain("svc", KeychainOptions{ChunkSize: 2560}, f)
		if err := s.Save(ctx, "tok", v1); err != nil {
			t.Fatal(err)
		}
		f.mu.Lock()
		f.sets, f.crashAt = 0, crash
		f.mu.Unlock()
		if err := s.Save(ctx, "tok", v2); err == nil {
			t.Fatalf("crash at set %d: Save reported success", crash)
		}
		// A crash ends the process: the next one starts with a fresh store.
		got, err := newKeychain("svc", KeychainOptions{ChunkSize: 2560}, f).Load(ctx, "tok")
		if err != nil || got != v1 {
			t.Fatalf("crash at set %d: Load = %d bytes of %q, %v; want the old value", crash, len(got), got[:1], err)
		}
	}
}

func TestKeychainCorruption(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFake()
	s := newKeychain("svc", KeychainOptions{ChunkSize: 2560}, f)
	value := strings.Repeat("abcdef", 2000)
	if err := s.Save(ctx, "tok", value); err != nil {
		t.Fatal(err)
	}
	var chunkKeys []string
	f.mu.Lock()
	for k := range f.items {
		if strings.Contains(k, "#") {
			chunkKeys = append(chunkKeys, k)
		}
	}
	saved := map[string]string{}
	for k, v := range f.items {
		saved[k] = v
	}
	f.mu.Unlock()
	restore := func() {
		f.mu.Lock()
		f.items = map[string]string{}
		for k, v := range saved {
			f.items[k] = v
		}
		f.mu.Unlock()
	}
	mutations := map[string]func(){
		"chunk altered": func() { f.items[chunkKeys[0]] = strings.Repeat("X", len(f.items[chunkKeys[0]])) },
		"chunk missing": func() { delete(f.items, chunkKeys[1]) },
		"chunk longer":  func() { f.items[chunkKeys[0]] += "extra" },
		"manifest foreign": func() {
			f.items["svc\x00tok"] = manifestStart + `"hunter2"}`
		},
		"manifest bad count": func() {
			f.items["svc\x00tok"] = strings.Replace(f.items["svc\x00tok"], `"count":5,`, `"count":999999,`, 1)
		},
		"manifest bad sum": func() {
			f.items["svc\x00tok"] = strings.Replace(f.items["svc\x00tok"], `"sha256":"`, `"sha256":"f`, 1)
		},
	}
	for name, mutate := range mutations {
		restore()
		f.mu.Lock()
		mutate()
		f.mu.Unlock()
		if _, err := s.Load(ctx, "tok"); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestKeychainNeverHangs(t *testing.T) {
	t.Parallel()
	f := newFake()
	f.hang = make(chan struct{})
	defer close(f.hang)
	s := newKeychain("svc", KeychainOptions{Timeout: 50 * time.Millisecond}, f)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		start := time.Now()
		_, err := s.Load(ctx, "tok")
		if !errors.Is(err, ErrUnavailable) || (i == 0 && (!errors.Is(err, errTimeLimit) || errors.Is(err, context.DeadlineExceeded))) {
			t.Fatalf("want ErrUnavailable (with the deadline the first time, then backing off), got %v", err)
		}
		if d := time.Since(start); d > time.Second {
			t.Fatalf("blocked %v", d)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Save(cctx, "tok", "v"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled ctx: %v", err)
	}
}

// chunkHanger holds a manifest under "tok" and hangs on every chunk until release is closed.
type chunkHanger struct {
	manifest string
	release  chan struct{}
}

func (h chunkHanger) Get(_, user string) (string, error) {
	if user == "tok" {
		return h.manifest, nil
	}
	<-h.release
	return "", ErrNotFound
}
func (h chunkHanger) Set(_, _, _ string) error { return nil }
func (h chunkHanger) Delete(_, _ string) error { return nil }

// A manifest that declares thousands of chunks does not buy a load more time against a keychain
// that hangs: the time limit grows per chunk read, not per chunk declared (4096 declared used to
// give 17 minutes).
func TestKeychainHangingChunksAfterAHugeManifest(t *testing.T) {
	t.Parallel()
	h := chunkHanger{manifest: rawManifest("abcd", "4096", "1048576", strings.Repeat("0", 64)), release: make(chan struct{})}
	defer close(h.release)
	s := newKeychain("svc", KeychainOptions{Timeout: 50 * time.Millisecond}, h)
	start := time.Now()
	_, err := s.Load(context.Background(), "tok")
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("want ErrUnavailable, got %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("blocked %v", d)
	}
}

func TestKeychainUnavailable(t *testing.T) {
	t.Parallel()
	f := newFake()
	f.failAll = errors.New("org.freedesktop.DBus.Error.ServiceUnknown")
	s := newKeychain("svc", KeychainOptions{}, f)
	if _, err := s.Load(context.Background(), "tok"); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("%v", err)
	}
	if err := s.Save(context.Background(), "tok", "v"); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("%v", err)
	}
}

func newTextLogger(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }
