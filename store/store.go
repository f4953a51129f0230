package store

import (
	"context"
	"sync"

	"github.com/tollgate-dev/tollgate/internal/keyring"
	"github.com/tollgate-dev/tollgate/secret"
)

// Store keeps named values, such as a cached activation token, between runs.
type Store interface {
	Load(ctx context.Context, name string) (string, error) // wraps ErrNotFound when absent
	Save(ctx context.Context, name, value string) error
	Delete(ctx context.Context, name string) error // nil when already absent
}

// ErrNotFound is wrapped by [Store.Load] when nothing is stored under the name.
var ErrNotFound = keyring.ErrNotFound

// ErrUnavailable is wrapped when the OS keychain cannot answer now: locked, timed out, refused,
// or backing off after failures. A value may well be stored there.
var ErrUnavailable = keyring.ErrUnavailable

// ErrCorrupt is wrapped when a stored value is truncated, altered by accident, or not one a
// store wrote. The value cannot be used; callers treat it as a cache miss.
var ErrCorrupt = keyring.ErrCorrupt

// NewMemory returns a Store that keeps values in memory, safe for concurrent use. It
// forgets everything when the process ends: for tests, and for apps that must not persist.
func NewMemory() Store { return &memoryStore{&memoryState{m: map[string]secret.Value{}}} }

// memoryStore keeps its values (records holding tokens and license keys) as secret.Values, so
// that where fmt prints it by reflection (an app's struct holding it in an unexported field)
// no value shows, and behind one more pointer, so that fmt never walks the map while another
// goroutine saves to it.
type memoryStore struct{ *memoryState }

type memoryState struct {
	mu sync.Mutex
	m  map[string]secret.Value
}

func (s *memoryStore) Load(ctx context.Context, name string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[name]
	if !ok {
		return "", ErrNotFound
	}
	return v.Reveal(), nil
}

func (s *memoryStore) Save(ctx context.Context, name, value string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[name] = secret.New(value)
	return nil
}

func (s *memoryStore) Delete(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, name)
	return nil
}

// Describer is implemented by stores that can say where they keep values, for messages such
// as "cached in the OS keychain".
type Describer interface {
	Describe(ctx context.Context) string
}

func (s *memoryStore) Describe(context.Context) string { return "memory (forgotten at exit)" }
