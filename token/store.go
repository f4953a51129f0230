package token

import (
	"context"
	"errors"
	"sync"
)

// Store keeps named values, such as a cached activation token, between runs.
type Store interface {
	Load(ctx context.Context, name string) (string, error) // wraps ErrNotFound when absent
	Save(ctx context.Context, name, value string) error
	Delete(ctx context.Context, name string) error // nil when already absent
}

// ErrNotFound is wrapped by [Store.Load] when nothing is stored under the name.
var ErrNotFound = errors.New("token: not found")

// NewMemoryStore returns a Store that keeps values in memory, safe for concurrent use. It
// forgets everything when the process ends: for tests, and for apps that must not persist.
func NewMemoryStore() Store { return &memoryStore{m: map[string]string{}} }

type memoryStore struct {
	mu sync.Mutex
	m  map[string]string
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
	return v, nil
}

func (s *memoryStore) Save(ctx context.Context, name, value string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[name] = value
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
