package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tollgate-dev/tollgate/internal/keyring"
)

// Keychain defaults.
const (
	// DefaultChunkSize is the most bytes of a value kept in one item of a keychain given to
	// [NewKeychainFrom] without a ChunkSize. The OS keychain has its own: one item holds
	// a whole value in the Secret Service (no small limit), 2560 bytes on Windows (its
	// credential blob limit) and 2800 on macOS (go-keyring passes the secret base64-encoded
	// on a `security` line of at most 4096 bytes).
	DefaultChunkSize = 2000
	// DefaultKeychainTimeout bounds each store operation on a small value: an unlock prompt or
	// a stuck Secret Service provider must not freeze the app. A save gets more time with its
	// size (see [KeychainOptions]).
	DefaultKeychainTimeout = 5 * time.Second
	// DefaultKeychainBackoff is the longest a keychain store waits, after failures, before it
	// calls the keychain again. The first wait is a second, doubled after each failure in a
	// row; a success resets it.
	DefaultKeychainBackoff = 30 * time.Second
)

// Size limits of stored values, checked before anything is allocated for them.
const (
	maxChunks = keyring.MaxValue / 256
	// perItemTime and perMiBTime scale a save's time limit: one keychain write each (gnome-
	// keyring rewrites its file on each, about 55 ms; macOS starts `security` for each) and
	// the bytes sent.
	perItemTime = 250 * time.Millisecond
	perMiBTime  = 10 * time.Second
)

// KeychainOptions tunes [NewKeychainWithOptions]. Zero values mean the defaults.
type KeychainOptions struct {
	// ChunkSize is the most bytes of a value kept in one item; 0 = the backend's own (see
	// [DefaultChunkSize]). At least 256.
	ChunkSize int
	// Timeout bounds a load, a delete or the save of a small value; 0 =
	// [DefaultKeychainTimeout]. A save of n items and b bytes gets Timeout + n×250 ms +
	// b×10 s/MiB, and a load of a chunked value 250 ms more per chunk.
	Timeout time.Duration
	// Backoff is the longest wait after failures before the keychain is called again; 0 =
	// [DefaultKeychainBackoff]. Calls made meanwhile fail at once with ErrUnavailable.
	Backoff time.Duration
}

// Keyring is the shape of go-keyring's functions. [NewKeychainFrom] takes one, so that a
// test double or another keyring library can stand behind a keychain store. Get must return an
// error wrapping ErrNotFound (this package's or go-keyring's) for a missing item.
type Keyring interface {
	Set(service, user, password string) error
	Get(service, user string) (string, error)
	Delete(service, user string) error
}

// contextKeyring is a Keyring whose calls end when ctx ends, leaving nothing running; a store
// over one calls it directly, without a goroutine that could be left parked.
type contextKeyring interface {
	SetContext(ctx context.Context, service, user, password string) error
	GetContext(ctx context.Context, service, user string) (string, error)
	DeleteContext(ctx context.Context, service, user string) error
}

// availabler is a keyring that can say, without calling anything, that it is absent.
type availabler interface{ Available() error }

// NewKeychain returns a Store in the OS keychain (macOS Keychain, Windows Credential Manager,
// the Linux Secret Service) under service, with the default options. It keeps values up to
// 1 MiB; every call is bounded by ctx and a time limit, and a keychain that is locked, absent
// or failing is [ErrUnavailable] (see the package doc, "Keychains").
func NewKeychain(service string) Store {
	return NewKeychainWithOptions(service, KeychainOptions{})
}

// NewKeychainWithOptions is NewKeychain with options.
func NewKeychainWithOptions(service string, o KeychainOptions) Store {
	if o.ChunkSize <= 0 && keyring.ChunkSize() > 0 {
		o.ChunkSize = keyring.ChunkSize()
	}
	return newKeychain(service, o, keyring.OS())
}

// NewKeychainFrom is NewKeychainWithOptions over kr instead of the OS keychain, with
// the same chunking, checksums, time limits, backoff and error classes.
func NewKeychainFrom(kr Keyring, service string, o KeychainOptions) Store {
	return newKeychain(service, o, kr)
}

func newKeychain(service string, o KeychainOptions, api Keyring) *keychainStore {
	if o.ChunkSize <= 0 {
		o.ChunkSize = DefaultChunkSize
	}
	if o.ChunkSize < 256 {
		o.ChunkSize = 256
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultKeychainTimeout
	}
	if o.Backoff <= 0 {
		o.Backoff = DefaultKeychainBackoff
	}
	return &keychainStore{service: service, opts: o, api: api, sem: make(chan struct{}, 1), now: time.Now}
}

type keychainStore struct {
	service string
	opts    KeychainOptions
	api     Keyring
	sem     chan struct{} // one keychain operation at a time, so a hung one cannot pile up more
	now     func() time.Time

	mu       sync.Mutex
	failures int       // failures in a row
	retryAt  time.Time // no keychain call before this
	lastErr  error
}

// Stored forms. A value that fits in one item is stored as it is. A longer one is split into
// chunks under "<name>#<generation>.<i>", written before the item under name, its manifest:
//
//	{"chunks":{"gen":"<16 hex>","count":<chunks>,"length":<bytes>,"sha256":"<hex>"}}
//
// A value that itself starts like a manifest is always chunked, so an item that starts so is
// never a value.
const manifestStart = `{"chunks":`

func checksum(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func chunkName(name, gen string, i int) string { return name + "#" + gen + "." + strconv.Itoa(i) }

// manifest names a chunked value's chunks; the zero manifest stands for a value stored whole.
type manifest struct {
	Gen    string `json:"gen"`
	Count  int    `json:"count"`
	Length int    `json:"length"`
	Sum    string `json:"sha256"`
}

// maxManifest bounds a manifest item: its four fields at their largest fit well within it.
const maxManifest = 512

func (m manifest) encode() string {
	b, err := json.Marshal(struct {
		Chunks manifest `json:"chunks"`
	}{m})
	if err != nil { // strings and integers only: cannot happen
		panic("store: " + err.Error())
	}
	return string(b)
}

// parseEntry reads the item stored under a name: a manifest, or (chunked false) the value
// itself. Every size a manifest declares is checked against the hard limits before anything is
// allocated for it.
func parseEntry(s string) (m manifest, chunked bool, err error) {
	if len(s) > keyring.MaxItem {
		return manifest{}, false, fmt.Errorf("%w: an item of %d bytes", ErrCorrupt, len(s))
	}
	if !strings.HasPrefix(s, manifestStart) {
		return manifest{}, false, nil
	}
	var w struct {
		Chunks *manifest `json:"chunks"`
	}
	if len(s) > maxManifest || json.Unmarshal([]byte(s), &w) != nil || w.Chunks == nil {
		return manifest{}, false, fmt.Errorf("%w: bad manifest", ErrCorrupt)
	}
	m = *w.Chunks
	if m.Gen == "" || len(m.Gen) > 32 || strings.ContainsAny(m.Gen, "#.") || len(m.Sum) != 64 {
		return manifest{}, false, fmt.Errorf("%w: bad manifest", ErrCorrupt)
	}
	// Each chunk holds at least one byte; the whole is at most keyring.MaxValue.
	if m.Count < 1 || m.Count > maxChunks || m.Length < m.Count || m.Length > keyring.MaxValue {
		return manifest{}, false, fmt.Errorf("%w: manifest declares %d chunks of %d bytes in all, over the limits", ErrCorrupt, m.Count, m.Length)
	}
	return m, true, nil
}

// backingOff returns an error while the store waits after failures.
func (k *keychainStore) backingOff() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.failures == 0 || !k.now().Before(k.retryAt) {
		return nil
	}
	return fmt.Errorf("%w: not called again until %s after failing: %w", ErrUnavailable,
		k.retryAt.Format(time.TimeOnly), k.lastErr)
}

// record updates the backoff with an operation's outcome: only ErrUnavailable is a failure.
func (k *keychainStore) record(err error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if !errors.Is(err, ErrUnavailable) {
		k.failures, k.lastErr = 0, nil
		return
	}
	if err == keyring.ErrNoSessionBus {
		return // nothing was called: nothing to spare
	}
	k.failures++
	wait := time.Second << min(k.failures-1, 20)
	k.retryAt, k.lastErr = k.now().Add(min(wait, k.opts.Backoff)), err
}

// deadline is a time limit that an operation can extend once it knows its size.
type deadline struct {
	timer  *time.Timer
	cancel context.CancelCauseFunc
	mu     sync.Mutex
	end    time.Time
}

func (d *deadline) extend(by time.Duration) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.end = d.end.Add(by)
	d.timer.Reset(time.Until(d.end))
}

// errTimeLimit is the cause of a keychain call that ran out of the store's own time: not
// context.DeadlineExceeded, which says that the caller's ctx ended (licensing.StateOf tells
// the two apart: a slow keychain is the keychain's, an ended ctx the caller's).
var errTimeLimit = errors.New("the keychain's time limit passed")

// run executes op with the keychain, bounded by ctx and limit, which op may extend. Only the
// keychain's failures count towards the backoff, not the caller's giving up.
func (k *keychainStore) run(parent context.Context, limit time.Duration, op func(ctx context.Context, d *deadline) error) error {
	if err := parent.Err(); err != nil {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	if a, ok := k.api.(availabler); ok {
		if err := a.Available(); err != nil {
			return err
		}
	}
	if err := k.backingOff(); err != nil {
		return err
	}
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	d := &deadline{cancel: cancel, end: time.Now().Add(limit)}
	d.timer = time.AfterFunc(limit, func() { cancel(errTimeLimit) })
	defer d.timer.Stop()
	finish := func(err error, what string) error {
		if err != nil && ctx.Err() != nil {
			err = fmt.Errorf("%w: %s: %w", ErrUnavailable, what, context.Cause(ctx))
		}
		if parent.Err() == nil {
			k.record(err)
		}
		return err
	}
	select {
	case k.sem <- struct{}{}:
	case <-ctx.Done():
		return finish(ctx.Err(), "a previous keychain call has not returned")
	}
	if _, ok := k.api.(contextKeyring); ok {
		// Its calls end with ctx: nothing outlives this call, so the lock is released here.
		err := op(ctx, d)
		<-k.sem
		return finish(err, "no answer in time")
	}
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("%w: keychain call panicked", ErrUnavailable)
			}
			<-k.sem
		}()
		done <- op(ctx, d)
	}()
	select {
	case err := <-done:
		return finish(err, "no answer in time")
	case <-ctx.Done():
		return finish(ctx.Err(), "no answer in time")
	}
}

// wrap classifies a keyring error.
func wrap(err error) error {
	switch {
	case err == nil:
		return nil
	case keyring.IsNotFound(err):
		return ErrNotFound
	case errors.Is(err, ErrUnavailable), errors.Is(err, ErrCorrupt):
		return err
	}
	return fmt.Errorf("%w: %v", ErrUnavailable, err)
}

func (k *keychainStore) get(ctx context.Context, user string) (string, error) {
	if c, ok := k.api.(contextKeyring); ok {
		return c.GetContext(ctx, k.service, user)
	}
	return k.api.Get(k.service, user)
}

func (k *keychainStore) set(ctx context.Context, user, value string) error {
	if err := ctx.Err(); err != nil { // out of time: no further write
		return fmt.Errorf("%w: %w", ErrUnavailable, context.Cause(ctx))
	}
	if c, ok := k.api.(contextKeyring); ok {
		return c.SetContext(ctx, k.service, user, value)
	}
	return k.api.Set(k.service, user, value)
}

func (k *keychainStore) del(ctx context.Context, user string) error {
	if c, ok := k.api.(contextKeyring); ok {
		return c.DeleteContext(ctx, k.service, user)
	}
	return k.api.Delete(k.service, user)
}

// loadAttempts bounds how often Load reads a value again that another process replaced while
// it was being read. The waits between tries add up to about 0.2 s.
const loadAttempts = 20

func (k *keychainStore) Load(ctx context.Context, name string) (string, error) {
	var out string
	err := k.run(ctx, k.opts.Timeout, func(ctx context.Context, d *deadline) error {
		// A writer in another process may replace the value between our reading its manifest
		// and its chunks, deleting the old chunks: read again when the manifest changed, a
		// little later each time so that a writer saving in a loop cannot starve the reader.
		var err error
		for attempt := range loadAttempts {
			var again bool
			out, again, err = k.load(ctx, d, name)
			if !again {
				return err
			}
			select {
			case <-ctx.Done():
				return err
			case <-time.After(time.Duration(attempt) * time.Millisecond):
			}
		}
		return err
	})
	if err != nil {
		return "", fmt.Errorf("store: keychain load: %w", err)
	}
	return out, nil
}

// load reads name once; again reports a chunk missing under a manifest that has since changed.
func (k *keychainStore) load(ctx context.Context, d *deadline, name string) (value string, again bool, err error) {
	s, err := k.get(ctx, name)
	if err != nil {
		return "", false, wrap(err)
	}
	m, chunked, err := parseEntry(s)
	if err != nil || !chunked {
		return s, false, err
	}
	var b strings.Builder
	b.Grow(m.Length) // at most keyring.MaxValue: parseEntry checked
	for i := 0; i < m.Count; i++ {
		// More time per chunk as it is read, not for the count a manifest declares: a hostile
		// one cannot stretch a load against a keychain that hangs.
		d.extend(perItemTime)
		c, err := k.get(ctx, chunkName(name, m.Gen, i))
		if err != nil {
			if keyring.IsNotFound(err) {
				cur, cerr := k.get(ctx, name)
				return "", cerr == nil && cur != s, fmt.Errorf("%w: chunk %d missing", ErrCorrupt, i)
			}
			return "", false, wrap(err)
		}
		if len(c) == 0 || b.Len()+len(c) > m.Length {
			return "", false, fmt.Errorf("%w: chunks do not add up to the manifest's length", ErrCorrupt)
		}
		b.WriteString(c)
	}
	v := b.String()
	if len(v) != m.Length || checksum(v) != m.Sum {
		return "", false, fmt.Errorf("%w: checksum mismatch", ErrCorrupt)
	}
	return v, false, nil
}

// saveLimit is the time limit of saving value: more items and more bytes, more time.
func (k *keychainStore) saveLimit(value string) time.Duration {
	items := 1
	if !k.whole(value) {
		items += (len(value) + k.opts.ChunkSize - 1) / k.opts.ChunkSize
	}
	return k.opts.Timeout + time.Duration(items)*perItemTime + time.Duration(len(value))*perMiBTime/(1<<20)
}

// whole reports whether value is stored as one item, as it is.
func (k *keychainStore) whole(value string) bool {
	return len(value) <= k.opts.ChunkSize && !strings.HasPrefix(value, manifestStart)
}

func (k *keychainStore) Save(ctx context.Context, name, value string) error {
	if len(value) > keyring.MaxValue {
		return fmt.Errorf("store: keychain save: a value of %d bytes is over the %d-byte limit", len(value), keyring.MaxValue)
	}
	err := k.run(ctx, k.saveLimit(value), func(ctx context.Context, _ *deadline) error {
		old, err := k.get(ctx, name)
		if err != nil && !keyring.IsNotFound(err) {
			if err := wrap(err); errors.Is(err, ErrUnavailable) {
				return err
			}
		}
		oldM, oldChunked, _ := parseEntry(old)
		if k.whole(value) {
			if err := k.set(ctx, name, value); err != nil {
				return wrap(err)
			}
		} else {
			var raw [8]byte
			if _, err := rand.Read(raw[:]); err != nil {
				return err
			}
			gen := hex.EncodeToString(raw[:])
			n := (len(value) + k.opts.ChunkSize - 1) / k.opts.ChunkSize
			// Chunks first, the manifest last: until it is written, the old value stands. Out
			// of time, no further write is made (set checks), and the new chunks are removed.
			for i := 0; i < n; i++ {
				end := min((i+1)*k.opts.ChunkSize, len(value))
				if err := k.set(ctx, chunkName(name, gen, i), value[i*k.opts.ChunkSize:end]); err != nil {
					k.deleteChunks(ctx, name, manifest{Gen: gen, Count: i + 1})
					return wrap(err)
				}
			}
			m := manifest{Gen: gen, Count: n, Length: len(value), Sum: checksum(value)}
			if err := k.set(ctx, name, m.encode()); err != nil {
				k.deleteChunks(ctx, name, m)
				return wrap(err)
			}
		}
		if oldChunked {
			k.deleteChunks(ctx, name, oldM)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: keychain save: %w", err)
	}
	return nil
}

// deleteChunks removes a generation's chunks, best effort. A store out of time leaves them
// (unreachable, since no manifest names them) rather than hold the keychain longer; with
// a context-aware keychain a short grace is given.
func (k *keychainStore) deleteChunks(ctx context.Context, name string, m manifest) {
	if ctx.Err() != nil {
		return
	}
	for i := 0; i < m.Count; i++ {
		_ = k.del(ctx, chunkName(name, m.Gen, i))
	}
}

func (k *keychainStore) Delete(ctx context.Context, name string) error {
	err := k.run(ctx, k.opts.Timeout, func(ctx context.Context, d *deadline) error {
		old, err := k.get(ctx, name)
		if err != nil {
			if keyring.IsNotFound(err) {
				return nil
			}
			if err := wrap(err); errors.Is(err, ErrUnavailable) {
				return err
			}
		}
		if err := k.del(ctx, name); err != nil && !keyring.IsNotFound(err) {
			return wrap(err)
		}
		if m, chunked, _ := parseEntry(old); chunked {
			d.extend(time.Duration(m.Count) * perItemTime)
			k.deleteChunks(ctx, name, m)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: keychain delete: %w", err)
	}
	return nil
}

func (k *keychainStore) Describe(context.Context) string {
	return "OS keychain, service " + strconv.Quote(k.service)
}
