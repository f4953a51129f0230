package token

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// probeTimeout bounds the first look at the keychain.
const probeTimeout = 3 * time.Second

// NewDefaultStore returns the store licensing uses when none is configured: the OS keychain
// under service where one answers, otherwise the private file store of [NewFileStore] in
// os.UserConfigDir()/tollgate. The choice is made on first use, by one keychain read bounded
// by a few seconds, and kept for the store's life; falling back is logged once at info level.
// A headless Linux machine, which has no Secret Service, thus still remembers across runs.
func NewDefaultStore(service string, logger *slog.Logger) Store {
	return &defaultStore{keychain: NewKeychainStore(service), file: NewFileStore(""), logger: logger}
}

type defaultStore struct {
	keychain, file Store
	logger         *slog.Logger

	mu     sync.Mutex
	chosen Store
}

func (d *defaultStore) choose(ctx context.Context) Store {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.chosen != nil {
		return d.chosen
	}
	pctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	_, err := d.keychain.Load(pctx, "tollgate-probe")
	if err == nil || errors.Is(err, ErrNotFound) || errors.Is(err, ErrCorrupt) {
		d.chosen = d.keychain
		return d.chosen
	}
	if ctx.Err() != nil {
		return d.file // the caller gave up; decide on a later call
	}
	d.chosen = d.file
	if d.logger != nil {
		d.logger.LogAttrs(ctx, slog.LevelInfo, "licensing: OS keychain unavailable; caching activations in a private file",
			slog.String("reason", err.Error()))
	}
	return d.chosen
}

func (d *defaultStore) Load(ctx context.Context, name string) (string, error) {
	return d.choose(ctx).Load(ctx, name)
}

func (d *defaultStore) Save(ctx context.Context, name, value string) error {
	return d.choose(ctx).Save(ctx, name, value)
}

func (d *defaultStore) Delete(ctx context.Context, name string) error {
	return d.choose(ctx).Delete(ctx, name)
}

func (d *defaultStore) Describe(ctx context.Context) string {
	return d.choose(ctx).(Describer).Describe(ctx)
}
