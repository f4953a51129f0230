package token

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/zalando/go-keyring"
)

// ErrUnavailable is wrapped when the OS keychain cannot be reached, refuses, or does not answer
// in time.
var ErrUnavailable = errors.New("token: keychain unavailable")

// Keychain defaults.
const (
	// DefaultChunkSize is the most bytes of a value kept in one keychain item. Windows refuses
	// secrets over 2560 bytes; macOS refuses a `security` command line over 4096 bytes, on
	// which go-keyring base64-encodes the secret (4/3 larger) beside the service and name.
	DefaultChunkSize = 2000
	// DefaultKeychainTimeout bounds each store operation: an unlock prompt or a stuck Secret
	// Service provider must not freeze the app.
	DefaultKeychainTimeout = 5 * time.Second
)

// KeychainOptions tunes [NewKeychainStoreWithOptions]. Zero values mean the defaults.
type KeychainOptions struct {
	ChunkSize int
	Timeout   time.Duration
}

// Keyring is the shape of go-keyring's functions. [NewKeychainStoreFrom] takes one, so that a
// test double or another keyring library can stand behind a keychain store. Get must return an
// error wrapping ErrNotFound (this package's or go-keyring's) for a missing item.
type Keyring interface {
	Set(service, user, password string) error
	Get(service, user string) (string, error)
	Delete(service, user string) error
}

type goKeyring struct{}

func (goKeyring) Set(s, u, p string) error        { return keyring.Set(s, u, p) }
func (goKeyring) Get(s, u string) (string, error) { return keyring.Get(s, u) }
func (goKeyring) Delete(s, u string) error        { return keyring.Delete(s, u) }
func isKeyringNotFound(err error) bool            { return errors.Is(err, keyring.ErrNotFound) }

var _ Keyring = goKeyring{}

// NewKeychainStore returns a Store backed by the OS keychain (macOS Keychain, Windows
// Credential Manager, the Linux Secret Service) under service, with the default options.
//
// Values of any size are kept: one larger than the chunk size is split into chunks written
// before a small manifest that names them and their SHA-256, so a crash mid-write leaves the
// previous value readable, and a value that reads back wrong is reported, never returned.
// Every operation is bounded by ctx and a timeout; a keychain call that never returns costs one
// parked goroutine, and later calls wait for it no longer than their own timeout.
func NewKeychainStore(service string) Store {
	return NewKeychainStoreWithOptions(service, KeychainOptions{})
}

// NewKeychainStoreWithOptions is NewKeychainStore with options.
func NewKeychainStoreWithOptions(service string, o KeychainOptions) Store {
	return newKeychain(service, o, goKeyring{})
}

// NewKeychainStoreFrom is NewKeychainStoreWithOptions over kr instead of the OS keychain, with
// the same chunking, checksums, timeouts and error classes.
func NewKeychainStoreFrom(kr Keyring, service string, o KeychainOptions) Store {
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
	return &keychainStore{service: service, opts: o, api: api, sem: make(chan struct{}, 1)}
}

type keychainStore struct {
	service string
	opts    KeychainOptions
	api     Keyring
	sem     chan struct{} // one keychain operation at a time, so a hung one cannot pile up more
}

// Stored forms. An inline value is "tg1i:<sha256>:<value>"; a chunked one has the manifest
// "tg1c:<generation>:<chunks>:<length>:<sha256>" and chunks under "<name>#<generation>.<i>".
const (
	inlinePrefix   = "tg1i:"
	manifestPrefix = "tg1c:"
	maxChunks      = 4096
)

func checksum(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func chunkName(name, gen string, i int) string { return name + "#" + gen + "." + strconv.Itoa(i) }

type manifest struct {
	inline string // the value, for an inline entry
	gen    string
	chunks int
	length int
	sum    string
}

// parseEntry reads the item stored under a name.
func parseEntry(s string) (manifest, error) {
	switch {
	case strings.HasPrefix(s, inlinePrefix):
		sum, value, ok := strings.Cut(s[len(inlinePrefix):], ":")
		if !ok || checksum(value) != sum {
			return manifest{}, fmt.Errorf("%w: checksum mismatch", ErrCorrupt)
		}
		return manifest{inline: value}, nil
	case strings.HasPrefix(s, manifestPrefix):
		f := strings.Split(s[len(manifestPrefix):], ":")
		if len(f) != 4 {
			return manifest{}, fmt.Errorf("%w: bad manifest", ErrCorrupt)
		}
		n, err1 := strconv.Atoi(f[1])
		length, err2 := strconv.Atoi(f[2])
		if err1 != nil || err2 != nil || n < 1 || n > maxChunks || length < 0 || len(f[3]) != 64 || f[0] == "" || len(f[0]) > 32 {
			return manifest{}, fmt.Errorf("%w: bad manifest", ErrCorrupt)
		}
		return manifest{gen: f[0], chunks: n, length: length, sum: f[3]}, nil
	}
	return manifest{}, fmt.Errorf("%w: not a tollgate value", ErrCorrupt)
}

// run executes op with the keychain, bounded by ctx and the timeout.
func (k *keychainStore) run(ctx context.Context, op func() error) error {
	ctx, cancel := context.WithTimeout(ctx, k.opts.Timeout)
	defer cancel()
	select {
	case k.sem <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("%w: a previous keychain call has not returned: %w", ErrUnavailable, ctx.Err())
	}
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("%w: keychain call panicked", ErrUnavailable)
			}
			<-k.sem
		}()
		done <- op()
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("%w: no answer in time: %w", ErrUnavailable, ctx.Err())
	}
}

// wrap classifies a go-keyring error.
func wrap(err error) error {
	switch {
	case err == nil:
		return nil
	case isKeyringNotFound(err):
		return ErrNotFound
	}
	return fmt.Errorf("%w: %v", ErrUnavailable, err)
}

func (k *keychainStore) Load(ctx context.Context, name string) (string, error) {
	var out string
	err := k.run(ctx, func() error {
		s, err := k.api.Get(k.service, name)
		if err != nil {
			return wrap(err)
		}
		m, err := parseEntry(s)
		if err != nil {
			return err
		}
		if m.gen == "" {
			out = m.inline
			return nil
		}
		var b strings.Builder
		b.Grow(m.length)
		for i := 0; i < m.chunks; i++ {
			c, err := k.api.Get(k.service, chunkName(name, m.gen, i))
			if err != nil {
				if isKeyringNotFound(err) {
					return fmt.Errorf("%w: chunk %d missing", ErrCorrupt, i)
				}
				return wrap(err)
			}
			if b.Len()+len(c) > m.length {
				return fmt.Errorf("%w: chunks longer than the manifest says", ErrCorrupt)
			}
			b.WriteString(c)
		}
		v := b.String()
		if len(v) != m.length || checksum(v) != m.sum {
			return fmt.Errorf("%w: checksum mismatch", ErrCorrupt)
		}
		out = v
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("token: keychain load: %w", err)
	}
	return out, nil
}

func (k *keychainStore) Save(ctx context.Context, name, value string) error {
	err := k.run(ctx, func() error {
		old, _ := k.api.Get(k.service, name)
		oldM, oldErr := parseEntry(old)
		if len(inlinePrefix)+64+1+len(value) <= k.opts.ChunkSize {
			if err := k.api.Set(k.service, name, inlinePrefix+checksum(value)+":"+value); err != nil {
				return wrap(err)
			}
		} else {
			var raw [8]byte
			if _, err := rand.Read(raw[:]); err != nil {
				return err
			}
			gen := hex.EncodeToString(raw[:])
			n := (len(value) + k.opts.ChunkSize - 1) / k.opts.ChunkSize
			if n > maxChunks {
				return fmt.Errorf("token: value of %d bytes is too large for the keychain", len(value))
			}
			// Chunks first, the manifest last: until it is written, the old value stands.
			for i := 0; i < n; i++ {
				end := min((i+1)*k.opts.ChunkSize, len(value))
				if err := k.api.Set(k.service, chunkName(name, gen, i), value[i*k.opts.ChunkSize:end]); err != nil {
					k.deleteChunks(name, manifest{gen: gen, chunks: i})
					return wrap(err)
				}
			}
			m := manifestPrefix + gen + ":" + strconv.Itoa(n) + ":" + strconv.Itoa(len(value)) + ":" + checksum(value)
			if err := k.api.Set(k.service, name, m); err != nil {
				k.deleteChunks(name, manifest{gen: gen, chunks: n})
				return wrap(err)
			}
		}
		if oldErr == nil && oldM.gen != "" {
			k.deleteChunks(name, oldM)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("token: keychain save: %w", err)
	}
	return nil
}

func (k *keychainStore) deleteChunks(name string, m manifest) {
	for i := 0; i < m.chunks; i++ {
		_ = k.api.Delete(k.service, chunkName(name, m.gen, i))
	}
}

func (k *keychainStore) Delete(ctx context.Context, name string) error {
	err := k.run(ctx, func() error {
		old, err := k.api.Get(k.service, name)
		if err != nil {
			if isKeyringNotFound(err) {
				return nil
			}
			return wrap(err)
		}
		if err := k.api.Delete(k.service, name); err != nil && !isKeyringNotFound(err) {
			return wrap(err)
		}
		if m, err := parseEntry(old); err == nil && m.gen != "" {
			k.deleteChunks(name, m)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("token: keychain delete: %w", err)
	}
	return nil
}

func (k *keychainStore) Describe(context.Context) string {
	return "OS keychain, service " + strconv.Quote(k.service)
}
