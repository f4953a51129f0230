package keyring

import (
	"errors"

	"github.com/zalando/go-keyring"
)

// GoKeyring is go-keyring's OS keychain: Windows' Credential Manager, macOS's Keychain.
type GoKeyring struct{}

// Set stores password under service and user.
func (GoKeyring) Set(s, u, p string) error { return keyring.Set(s, u, p) }

// Get returns what is stored under service and user.
func (GoKeyring) Get(s, u string) (string, error) { return keyring.Get(s, u) }

// Delete removes what is stored under service and user.
func (GoKeyring) Delete(s, u string) error { return keyring.Delete(s, u) }

// IsNotFound reports whether err means a missing item, in go-keyring's words or ours.
func IsNotFound(err error) bool {
	return errors.Is(err, keyring.ErrNotFound) || errors.Is(err, ErrNotFound)
}
