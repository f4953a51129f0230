package licensing_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
	"github.com/tollgate-dev/tollgate/store"
)

// mapKeyring is a keychain that answers at once from a map, or, once hang is set, never
// answers until release is closed.
type mapKeyring struct {
	mu      sync.Mutex
	m       map[string]string
	hang    bool
	release chan struct{}
}

func newMapKeyring() *mapKeyring {
	return &mapKeyring{m: map[string]string{}, release: make(chan struct{})}
}

func (k *mapKeyring) wait() {
	k.mu.Lock()
	h := k.hang
	k.mu.Unlock()
	if h {
		<-k.release
	}
}

func (k *mapKeyring) Set(s, u, v string) error {
	k.wait()
	k.mu.Lock()
	defer k.mu.Unlock()
	k.m[s+"/"+u] = v
	return nil
}

func (k *mapKeyring) Get(s, u string) (string, error) {
	k.wait()
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.m[s+"/"+u]
	if !ok {
		return "", store.ErrNotFound
	}
	return v, nil
}

func (k *mapKeyring) Delete(s, u string) error {
	k.wait()
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.m, s+"/"+u)
	return nil
}

// The class: a ctx that ended (cancelled, or past its deadline) is the caller's doing, whatever
// layer noticed it: the memory store, the file store, a keychain that saw it before calling,
// a keychain that was waiting when it ended, the transport. Every call's error then reads
// "retry later", never "cache unavailable" (which tells the user to unlock a keychain) nor
// "needs a license".
func TestEndedContextIsNeverTheCache(t *testing.T) {
	t.Parallel()
	ended := map[string]func() (context.Context, context.CancelFunc){
		"cancelled": func() (context.Context, context.CancelFunc) {
			c, cancel := context.WithCancel(context.Background())
			cancel()
			return c, cancel
		},
		"deadline passed": func() (context.Context, context.CancelFunc) {
			return context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
		},
	}
	stores := map[string]func(t *testing.T) store.Store{
		"memory": func(*testing.T) store.Store { return store.NewMemory() },
		"file":   func(t *testing.T) store.Store { return store.NewFile(t.TempDir()) },
		"keychain": func(*testing.T) store.Store {
			return store.NewKeychainFrom(newMapKeyring(), "svc", store.KeychainOptions{})
		},
	}
	calls := map[string]func(ctx context.Context, c *licensing.Client, e *env) error{
		"Validate": func(ctx context.Context, c *licensing.Client, e *env) error { _, err := c.Validate(ctx); return err },
		"ValidateLicenseOrTrial": func(ctx context.Context, c *licensing.Client, e *env) error {
			_, err := c.ValidateLicenseOrTrial(ctx)
			return err
		},
		"ValidateTrial": func(ctx context.Context, c *licensing.Client, e *env) error {
			_, err := c.ValidateTrial(ctx)
			return err
		},
		"Activate": func(ctx context.Context, c *licensing.Client, e *env) error {
			_, err := c.Activate(ctx, licensing.ActivationRequest{Key: e.key})
			return err
		},
		"Sync": func(ctx context.Context, c *licensing.Client, e *env) error {
			_, err := c.Sync(ctx, licensing.Update{})
			return err
		},
		"UpdateActivation": func(ctx context.Context, c *licensing.Client, e *env) error {
			_, err := c.UpdateActivation(ctx, e.id, licensing.Update{})
			return err
		},
		"Watch": func(ctx context.Context, c *licensing.Client, e *env) error {
			return c.Watch(ctx, licensing.Update{}, nil)
		},
		"Deactivate": func(ctx context.Context, c *licensing.Client, e *env) error { return c.Deactivate(ctx) },
		"ActivateTrial": func(ctx context.Context, c *licensing.Client, e *env) error {
			_, err := c.ActivateTrial(ctx, licensing.TrialRequest{})
			return err
		},
		"CheckReleaseUpdate": func(ctx context.Context, c *licensing.Client, e *env) error {
			_, err := c.CheckReleaseUpdate(ctx, licensing.ReleaseQuery{Platform: "linux", Version: "1.0"})
			return err
		},
	}
	for sname, newStore := range stores {
		for ename, endedCtx := range ended {
			for cname, call := range calls {
				t.Run(sname+"/"+ename+"/"+cname, func(t *testing.T) {
					t.Parallel()
					e := setup(t, licensingtest.License{})
					st := newStore(t)
					c := e.newClient(t, e.m, st)
					if _, err := c.Activate(ctx, licensing.ActivationRequest{Key: e.key}); err != nil {
						t.Fatal(err)
					}
					before := e.srv.RequestCount()
					cctx, cancel := endedCtx()
					defer cancel()
					err := call(cctx, c, e)
					if err == nil {
						t.Fatal("no error with an ended ctx")
					}
					if !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
						t.Errorf("the ctx's error is not in the chain: %v", err)
					}
					if got := licensing.StateOf(err); got != licensing.StateRetryLater {
						t.Errorf("StateOf = %v, want retry later: %v", got, err)
					}
					if got := e.srv.RequestCount() - before; got != 0 {
						t.Errorf("%d requests sent with an ended ctx", got)
					}
					if _, err := c.Validate(ctx); err != nil {
						t.Errorf("the cached license did not survive: %v", err)
					}
				})
			}
		}
	}
}

// A keychain that was still working when the caller's deadline passed reports the caller's
// deadline (retry later); the same keychain running out of its own time limit, with the
// caller's ctx alive, is the keychain's fault (cache unavailable).
func TestKeychainDeadlineWhoseIsIt(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{})
	kr := newMapKeyring()
	defer close(kr.release)
	slow := e.newClient(t, e.m, store.NewKeychainFrom(kr, "svc", store.KeychainOptions{Timeout: time.Hour}))
	if _, err := slow.Activate(ctx, licensing.ActivationRequest{Key: e.key}); err != nil {
		t.Fatal(err)
	}
	kr.mu.Lock()
	kr.hang = true
	kr.mu.Unlock()
	dctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := slow.Validate(dctx)
	if !errors.Is(err, context.DeadlineExceeded) || licensing.StateOf(err) != licensing.StateRetryLater {
		t.Errorf("caller's deadline while the keychain works: state %v, %v", licensing.StateOf(err), err)
	}

	kr2 := newMapKeyring()
	defer close(kr2.release)
	kr2.hang = true
	own := e.newClient(t, e.m, store.NewKeychainFrom(kr2, "svc", store.KeychainOptions{Timeout: 20 * time.Millisecond}))
	_, err = own.Validate(ctx)
	if errors.Is(err, context.DeadlineExceeded) || licensing.StateOf(err) != licensing.StateCacheUnavailable {
		t.Errorf("the keychain's own time limit: state %v, %v", licensing.StateOf(err), err)
	}
}

// StateOf finds an ended ctx at any depth, beside any store error, single or joined.
func TestStateOfEndedContextAtAnyDepth(t *testing.T) {
	t.Parallel()
	for _, cause := range []error{context.Canceled, context.DeadlineExceeded} {
		for _, err := range []error{
			cause,
			fmt.Errorf("licensing: %w: %w", licensing.ErrCacheUnavailable, cause),
			fmt.Errorf("a: %w", fmt.Errorf("b: %w", fmt.Errorf("%w: %w", store.ErrUnavailable, cause))),
			errors.Join(errors.New("other"), fmt.Errorf("%w: x: %w", store.ErrUnavailable, cause)),
			fmt.Errorf("licensing: activate: nothing sent: %w", fmt.Errorf("%w: %w", licensing.ErrCacheUnavailable, fmt.Errorf("%w: %w", store.ErrUnavailable, cause))),
		} {
			if got := licensing.StateOf(err); got != licensing.StateRetryLater {
				t.Errorf("StateOf(%v) = %v", err, got)
			}
		}
	}
	// An outcome that may have been applied stays unknown, whatever ended it.
	if got := licensing.StateOf(fmt.Errorf("%w: %w", licensing.ErrOutcomeUnknown, context.Canceled)); got != licensing.StateOutcomeUnknown {
		t.Errorf("outcome unknown with a cancelled ctx: %v", got)
	}
}
