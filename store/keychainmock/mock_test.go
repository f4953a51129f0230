// Package keychainmock runs the keychain store against go-keyring's own mock provider. It is a
// package of its own because keyring.MockInit replaces go-keyring's process-wide provider, which
// the real-keychain tests in package store must keep.
package keychainmock

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/store"
	"github.com/zalando/go-keyring"
)

// goKeyring is go-keyring's provider as a store.Keyring. On Linux the OS keychain store speaks
// to the Secret Service itself, so the mock is put behind the store explicitly.
type goKeyring struct{}

func (goKeyring) Set(s, u, p string) error        { return keyring.Set(s, u, p) }
func (goKeyring) Get(s, u string) (string, error) { return keyring.Get(s, u) }
func (goKeyring) Delete(s, u string) error        { return keyring.Delete(s, u) }

func TestWithGoKeyringMock(t *testing.T) {
	keyring.MockInit()
	s := store.NewKeychainFrom(goKeyring{}, "svc", store.KeychainOptions{ChunkSize: 2560})
	ctx := context.Background()
	for _, v := range []string{"short", strings.Repeat("x", 10<<10)} {
		if err := s.Save(ctx, "tok", v); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Load(ctx, "tok"); err != nil || got != v {
			t.Fatalf("%d bytes: %v", len(got), err)
		}
	}
	if err := s.Delete(ctx, "tok"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, "tok"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
}

func TestGoKeyringMockErrors(t *testing.T) {
	keyring.MockInitWithError(errors.New("locked"))
	s := store.NewKeychainFrom(goKeyring{}, "svc", store.KeychainOptions{})
	if _, err := s.Load(context.Background(), "tok"); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("%v", err)
	}
	if err := s.Save(context.Background(), "tok", "v"); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("%v", err)
	}
}
