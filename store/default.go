package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/tollgate-dev/tollgate/internal/keyring"
	"github.com/tollgate-dev/tollgate/internal/record"
)

// NewDefault returns the store licensing uses when none is configured: one cache per
// machine and user over two backends, the OS keychain under service appName ([NewKeychain])
// and the private file store of [NewFile] in os.UserConfigDir()/appName. An appName that
// [CheckAppName] refuses makes every file operation fail with its error. The rules are in the package documentation
// ("One cache, two backends"). Nothing is started or probed to choose: a Linux machine
// without a D-Bus session bus has no keychain, and the file is used at once. Falling back to
// the file is logged once at info level.
func NewDefault(appName string, logger *slog.Logger) Store {
	return newDefaultStore(NewKeychain(appName), &fileStore{sub: appName}, logger)
}

// CheckAppName returns an error when name cannot name a default store: it must be one plain
// folder name on every OS (not empty, "." or "..", at most 255 bytes of UTF-8, no control
// characters, none of / \ : * ? " < > |, no trailing dot or space, no Windows device name
// such as CON or NUL).
func CheckAppName(name string) error {
	bad := name == "" || name == "." || name == ".." || len(name) > 255 || !utf8.ValidString(name) ||
		strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f || strings.ContainsRune(`/\:*?"<>|`, r) }) ||
		strings.HasSuffix(name, ".") || strings.HasSuffix(name, " ") || windowsDevice(name)
	if bad {
		return fmt.Errorf("store: app name %q is not a plain folder name on every OS", name)
	}
	return nil
}

// windowsDevice reports whether name is one of the names Windows keeps for devices, which no
// folder can take, with or without an extension.
func windowsDevice(name string) bool {
	base, _, _ := strings.Cut(strings.ToUpper(name), ".")
	switch base {
	case "CON", "PRN", "AUX", "NUL":
		return true
	}
	return len(base) == 4 && (strings.HasPrefix(base, "COM") || strings.HasPrefix(base, "LPT")) && base[3] >= '1' && base[3] <= '9'
}

func newDefaultStore(keychain, file Store, logger *slog.Logger) *defaultStore {
	return &defaultStore{keychain: keychain, file: file, logger: logger, now: time.Now}
}

type defaultStore struct {
	keychain, file Store
	logger         *slog.Logger
	now            func() time.Time

	stamps record.Stamps // so that a tombstone is newer than what it follows

	mu     sync.Mutex
	logged bool
}

// stamped is a value as the default store orders it: by the stamp of its envelope
// (internal/record), which its writer set; the stamp is 0 when the value is not an envelope.
type stamped struct {
	stamp   int64
	value   string
	deleted bool
}

func unstamp(raw string) stamped {
	stamp, deleted, _ := record.Peek(raw)
	return stamped{stamp: stamp, value: raw, deleted: deleted}
}

// absent reports, without starting or calling anything, that this machine has no keychain.
func (d *defaultStore) absent() bool {
	k, ok := d.keychain.(*keychainStore)
	if !ok {
		return false
	}
	a, ok := k.api.(availabler)
	return ok && a.Available() != nil
}

func (d *defaultStore) fallback(ctx context.Context, why error) {
	d.mu.Lock()
	first := !d.logged
	d.logged = true
	d.mu.Unlock()
	if first && d.logger != nil {
		d.logger.LogAttrs(ctx, slog.LevelInfo, "licensing: OS keychain unavailable; caching activations in a private file",
			slog.String("reason", why.Error()))
	}
}

func (d *defaultStore) Load(ctx context.Context, name string) (string, error) {
	kraw, kerr := "", keyring.ErrNoSessionBus
	if !d.absent() {
		kraw, kerr = d.keychain.Load(ctx, name)
	}
	fraw, ferr := d.file.Load(ctx, name)
	k, f := unstamp(kraw), unstamp(fraw)
	if kerr == nil {
		d.stamps.Seen(k.stamp)
	}
	if ferr == nil {
		d.stamps.Seen(f.stamp)
	}
	switch {
	case ferr == nil && (kerr != nil || f.stamp > k.stamp):
		// The file is newer than the keychain, or the keychain has nothing readable.
		if errors.Is(kerr, ErrUnavailable) {
			if f.stamp == 0 && !errors.Is(kerr, keyring.ErrNoKeychain) && !d.absent() {
				// Not an envelope: it cannot stand for what the keychain may hold.
				return "", fmt.Errorf("%w (and the file holds no envelope)", kerr)
			}
			if f.deleted {
				return "", ErrNotFound
			}
			return f.value, nil
		}
		d.promote(ctx, name, kerr == nil, f)
		if f.deleted {
			return "", ErrNotFound
		}
		return f.value, nil
	case kerr == nil:
		if ferr == nil { // an older file: the keychain has since saved over it
			d.dropFile(ctx, name, f.value)
		}
		if k.deleted { // not written by this package, but read as what it says
			return "", ErrNotFound
		}
		return k.value, nil
	case errors.Is(kerr, ErrNotFound) && errors.Is(ferr, ErrNotFound):
		return "", ErrNotFound
	case errors.Is(kerr, keyring.ErrNoKeychain) && errors.Is(ferr, ErrNotFound):
		return "", ErrNotFound // no keychain in this session: nothing can be hidden in one
	case errors.Is(kerr, keyring.ErrNoKeychain), errors.Is(kerr, ErrNotFound):
		return "", ferr // the file is all there is, and it cannot be read
	case errors.Is(ferr, ErrNotFound):
		return "", kerr // the keychain cannot be read (or is corrupt), and the file has nothing
	case errors.Is(kerr, ErrUnavailable):
		// The keychain may hold a good value: a bad file must not make this "not activated".
		return "", fmt.Errorf("%w (and the file: %v)", kerr, ferr)
	}
	return "", fmt.Errorf("%w; %w", kerr, ferr)
}

// promote moves the file's newer value (or tombstone) into the keychain and removes the file.
func (d *defaultStore) promote(ctx context.Context, name string, keychainHolds bool, f stamped) {
	var err error
	if f.deleted {
		if keychainHolds {
			err = d.keychain.Delete(ctx, name)
		}
	} else {
		err = d.keychain.Save(ctx, name, f.value)
	}
	if err == nil {
		d.dropFile(ctx, name, f.value)
	}
}

// dropFile removes the file's value if it is still raw: another process may have just saved a
// newer one there.
func (d *defaultStore) dropFile(ctx context.Context, name, raw string) {
	if cur, err := d.file.Load(ctx, name); err == nil && cur == raw {
		_ = d.file.Delete(ctx, name)
	}
}

func (d *defaultStore) Save(ctx context.Context, name, raw string) error {
	stamp := unstamp(raw).stamp
	d.stamps.Seen(stamp)
	kerr := keyring.ErrNoSessionBus
	if !d.absent() {
		if kerr = d.keychain.Save(ctx, name, raw); kerr == nil {
			// A value the file kept while the keychain was down is now older: remove it.
			if cur, err := d.file.Load(ctx, name); err == nil && unstamp(cur).stamp < stamp {
				d.dropFile(ctx, name, cur)
			}
			return nil
		}
		if ctx.Err() != nil {
			return kerr
		}
	}
	d.fallback(ctx, kerr)
	if err := d.file.Save(ctx, name, raw); err != nil {
		return fmt.Errorf("%w; %w", kerr, err)
	}
	return nil
}

func (d *defaultStore) Delete(ctx context.Context, name string) error {
	kerr := keyring.ErrNoSessionBus
	if !d.absent() {
		if kerr = d.keychain.Delete(ctx, name); kerr == nil {
			return d.file.Delete(ctx, name)
		}
	}
	// The keychain could not delete (or does not exist here, and may exist in another session
	// of this user): a tombstone in the file, newer than anything saved, outvotes its value.
	if err := d.file.Save(ctx, name, record.EncodeTombstone(d.stamps.Next(d.now()))); err != nil {
		return fmt.Errorf("%w; %w", kerr, err)
	}
	return nil
}

// Describe says where values are kept now, without calling anything.
func (d *defaultStore) Describe(ctx context.Context) string {
	file := d.file.(Describer).Describe(ctx)
	if d.absent() {
		return file + " (no OS keychain in this session)"
	}
	if k, ok := d.keychain.(*keychainStore); ok && k.backingOff() != nil {
		return file + " (the OS keychain is unavailable now)"
	}
	return d.keychain.(Describer).Describe(ctx) + ", or a " + file + " while it is unavailable"
}
