package token

import (
	"context"
	"errors"
)

var errKeychainNotImplemented = errors.New("token: keychain store is not implemented yet")

// NewKeychainStore returns a Store backed by the OS keychain under service.
func NewKeychainStore(service string) Store { return keychainStore{service} }

type keychainStore struct{ service string }

func (keychainStore) Load(context.Context, string) (string, error) {
	return "", errKeychainNotImplemented
}
func (keychainStore) Save(context.Context, string, string) error { return errKeychainNotImplemented }
func (keychainStore) Delete(context.Context, string) error       { return errKeychainNotImplemented }
