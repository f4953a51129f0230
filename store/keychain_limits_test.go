package store

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/keyring"
	"github.com/tollgate-dev/tollgate/token"
)

// Hostile manifests: every declared size is checked before anything is allocated. The first is
// the (256 GiB, which used to kill the process with a fatal out-of-memory); the others
// are the same class with inputs of our own.
//
// Not parallel: it measures the process's allocations, which parallel tests would add to.
func TestKeychainHostileManifest(t *testing.T) {
	sum := strings.Repeat("0", 64)
	cases := map[string]string{
		"256 GiB":                  rawManifest("abcd", "1", "274877906944", sum),
		"1 GiB in 4096 chunks":     rawManifest("abcd", "4096", "1073741824", sum),
		"just over the value cap":  rawManifest("abcd", "2", strconv.Itoa(keyring.MaxValue+1), sum),
		"more chunks than bytes":   rawManifest("abcd", "10", "5", sum),
		"too many chunks":          rawManifest("abcd", strconv.Itoa(maxChunks+1), strconv.Itoa(keyring.MaxValue), sum),
		"length overflows int":     rawManifest("abcd", "1", "99999999999999999999999", sum),
		"length as a float":        rawManifest("abcd", "1", "5.5", sum),
		"negative length":          rawManifest("abcd", "1", "-5", sum),
		"zero chunks":              rawManifest("abcd", "0", "0", sum),
		"generation with a dot":    rawManifest("ab.cd", "1", "5", sum),
		"manifest over its size":   rawManifest("abcd", "1", "5", sum) + strings.Repeat(" ", maxManifest),
		"item over the item limit": strings.Repeat("x", keyring.MaxItem+1),
	}
	for name, m := range cases {
		f := newFake()
		f.maxSize = 0
		f.items["svc\x00tok"] = m
		f.items["svc\x00tok#abcd.0"] = "hello"
		s := newKeychain("svc", KeychainOptions{}, f)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := s.Load(context.Background(), "tok")
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: want ErrCorrupt, got %v", name, err)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 4<<20 {
			t.Errorf("%s: Load allocated %d bytes", name, grew)
		}
	}
}

// Each backend gets its own chunk size: the Secret Service keeps a whole value in one item;
// a keychain given to NewKeychainFrom gets DefaultChunkSize unless told otherwise.
func TestKeychainChunkSizes(t *testing.T) {
	t.Parallel()
	if size := NewKeychainWithOptions("svc", KeychainOptions{}).(*keychainStore).opts.ChunkSize; runtime.GOOS == "linux" && size < keyring.MaxValue {
		t.Fatalf("Secret Service chunk size %d: a value Verify accepts would be split", size)
	}
	f := newFake()
	f.maxSize = 0
	s := newKeychain("svc", KeychainOptions{}, f)
	if err := s.Save(context.Background(), "tok", strings.Repeat("v", 10_000)); err != nil {
		t.Fatal(err)
	}
	if n := f.count(); n != 1+5 { // manifest and 5 chunks of 2000
		t.Fatalf("%d items for 10,000 bytes at the default chunk size", n)
	}
	big := newKeychain("svc", KeychainOptions{ChunkSize: osChunkSizeLinux}, newFake())
	big.api.(*fakeKeyring).maxSize = 0
	value := strings.Repeat("w", token.MaxTokenSize+512)
	if err := big.Save(context.Background(), "tok", value); err != nil {
		t.Fatal(err)
	}
	if n := big.api.(*fakeKeyring).count(); n != 1 {
		t.Fatalf("%d items for a whole token at the Secret Service's size", n)
	}
	if got, err := big.Load(context.Background(), "tok"); err != nil || got != value {
		t.Fatalf("round trip: %d bytes, %v", len(got), err)
	}
	if err := big.Save(context.Background(), "tok", strings.Repeat("x", keyring.MaxValue+1)); err == nil {
		t.Fatal("a value over the limit was saved")
	}
}

// osChunkSizeLinux is the Secret Service's item size, for tests on every OS.
const osChunkSizeLinux = keyring.MaxValue + 1024

// slowKeyring takes a fixed time per call, as gnome-keyring's 55 ms per write did.
type slowKeyring struct {
	*fakeKeyring
	per time.Duration
}

func (s slowKeyring) Set(svc, u, p string) error {
	time.Sleep(s.per)
	return s.fakeKeyring.Set(svc, u, p)
}

// A save's time limit grows with its size: a value of 40 chunks at 20 ms a write, which a flat
// 300 ms limit cannot save, is saved.
func TestKeychainSaveLimitScales(t *testing.T) {
	t.Parallel()
	f := newFake()
	f.maxSize = 0
	s := newKeychain("svc", KeychainOptions{ChunkSize: 256, Timeout: 300 * time.Millisecond}, slowKeyring{f, 20 * time.Millisecond})
	value := strings.Repeat("s", 40*256)
	if limit := s.saveLimit(value); limit < 300*time.Millisecond+41*perItemTime {
		t.Fatalf("save limit %v for 41 writes", limit)
	}
	if err := s.Save(context.Background(), "tok", value); err != nil {
		t.Fatalf("save of 41 writes at 20 ms each: %v", err)
	}
	if got, err := s.Load(context.Background(), "tok"); err != nil || got != value {
		t.Fatalf("load: %d bytes, %v", len(got), err)
	}
}

// A save that runs out of time stops before its next write, does not hold the store's lock
// for the rest of its chunks, and leaves the old value readable (never a mix); the next load
// answers at once.
func TestKeychainTimedOutSave(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFake()
	f.maxSize = 0
	slow := slowKeyring{f, 20 * time.Millisecond}
	s := newKeychain("svc", KeychainOptions{ChunkSize: 256}, slow)
	old := strings.Repeat("o", 1000)
	if err := s.Save(ctx, "tok", old); err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	err := s.Save(sctx, "tok", strings.Repeat("n", 100*256)) // 101 writes: about 2 s
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("want ErrUnavailable for a save out of time, got %v", err)
	}
	start := time.Now()
	got, err := s.Load(ctx, "tok")
	if err != nil || got != old {
		t.Fatalf("after a timed-out save: %d bytes %q…, %v; want the old value", len(got), got[:min(len(got), 1)], err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("the load waited %v behind the abandoned save", d)
	}
	time.Sleep(100 * time.Millisecond)
	f.mu.Lock()
	sets := f.sets
	f.mu.Unlock()
	if sets > 12 { // the old value's 5, then at most a few before the deadline and one in flight
		t.Fatalf("the abandoned save went on: %d writes", sets)
	}
	// A later save of the same size with the time it needs goes through.
	if err := s.Save(ctx, "tok", strings.Repeat("n", 20*256)); err != nil {
		t.Fatal(err)
	}
}

// Another process replaces a chunked value while this one reads it: the read retries with the
// new manifest rather than report corruption.
func TestKeychainConcurrentReplace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFake()
	f.maxSize = 0
	a := newKeychain("svc", KeychainOptions{ChunkSize: 256}, f)
	b := newKeychain("svc", KeychainOptions{ChunkSize: 256}, f) // another process
	values := []string{strings.Repeat("a", 3000), strings.Repeat("b", 2000)}
	if err := a.Save(ctx, "tok", values[0]); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := b.Save(ctx, "tok", values[i%2]); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for range 300 {
		got, err := a.Load(ctx, "tok")
		if err != nil || (got != values[0] && got != values[1]) {
			t.Errorf("read during replacement: %d bytes, %v", len(got), err)
			break
		}
	}
	close(stop)
	wg.Wait()
}

// The backoff: after a failure the keychain is not called until the wait has passed; the wait
// doubles up to the bound; a success resets it.
func TestKeychainBackoff(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFake()
	f.failAll = errors.New("org.freedesktop.DBus.Error.NoReply")
	now := time.Unix(1_800_000_000, 0)
	s := newKeychain("svc", KeychainOptions{Backoff: 10 * time.Second}, f)
	s.now = func() time.Time { return now }
	calls := func() int { f.mu.Lock(); defer f.mu.Unlock(); return f.calls }
	var waits []time.Duration
	for range 8 {
		before := calls()
		if _, err := s.Load(ctx, "tok"); !errors.Is(err, ErrUnavailable) {
			t.Fatal(err)
		}
		if calls() != before+1 {
			t.Fatalf("the keychain was not called once after the wait: %d calls", calls()-before)
		}
		// Calls during the wait fail at once without reaching the keychain.
		for range 100 {
			if _, err := s.Load(ctx, "tok"); !errors.Is(err, ErrUnavailable) {
				t.Fatal(err)
			}
		}
		if calls() != before+1 {
			t.Fatalf("%d keychain calls during the backoff", calls()-before-1)
		}
		wait := s.retryAt.Sub(now)
		waits = append(waits, wait)
		now = now.Add(wait)
	}
	want := fmt.Sprint([]time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second,
		10 * time.Second, 10 * time.Second, 10 * time.Second, 10 * time.Second})
	if fmt.Sprint(waits) != want {
		t.Fatalf("waits %v, want %v", waits, want)
	}
	f.mu.Lock()
	f.failAll = nil
	f.mu.Unlock()
	if _, err := s.Load(ctx, "tok"); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	if s.failures != 0 {
		t.Fatalf("a success did not reset the backoff: %d failures", s.failures)
	}
	// The caller giving up is not the keychain's failure.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, _ = s.Load(cctx, "tok")
	if s.failures != 0 {
		t.Fatal("a cancelled ctx counted as a keychain failure")
	}
}

// ctxHangKeyring is a context-aware keychain (as the Secret Service client is) whose calls
// never answer: each returns only when its ctx ends.
type ctxHangKeyring struct{ *fakeKeyring }

func (k ctxHangKeyring) GetContext(ctx context.Context, s, u string) (string, error) {
	<-ctx.Done()
	return "", fmt.Errorf("%w: %v", ErrUnavailable, ctx.Err())
}

func (k ctxHangKeyring) SetContext(ctx context.Context, s, u, p string) error {
	<-ctx.Done()
	return fmt.Errorf("%w: %v", ErrUnavailable, ctx.Err())
}

func (k ctxHangKeyring) DeleteContext(ctx context.Context, s, u string) error {
	<-ctx.Done()
	return fmt.Errorf("%w: %v", ErrUnavailable, ctx.Err())
}

// With a context-aware keychain a call that runs out of time leaves nothing running and
// releases the store's lock as it returns: the next call reaches the keychain at once, not
// "a previous keychain call has not returned".
func TestKeychainContextCallLeavesNothing(t *testing.T) {
	t.Parallel()
	s := newKeychain("svc", KeychainOptions{Timeout: 30 * time.Millisecond, Backoff: time.Nanosecond}, ctxHangKeyring{newFake()})
	ctx := context.Background()
	for range 3 { // each save waits its whole limit, 280 ms
		if err := s.Save(ctx, "tok", strings.Repeat("v", 100)); !errors.Is(err, ErrUnavailable) || !errors.Is(err, errTimeLimit) {
			t.Fatalf("save: %v", err)
		}
		if _, err := s.Load(ctx, "tok"); !errors.Is(err, errTimeLimit) || strings.Contains(err.Error(), "has not returned") {
			t.Fatalf("load after a timed-out save: %v", err)
		}
		select {
		case s.sem <- struct{}{}:
			<-s.sem
		default:
			t.Fatal("the store's lock is held after the call returned")
		}
	}
}
