// Package keyring holds the OS keychain backends under package store: the Secret Service
// client on Linux and the BSDs (secretservice.go), and go-keyring elsewhere (gokeyring.go).
//
// Its error values are the ones package store exports, so that a backend's errors need no
// translation.
package keyring

import (
	"errors"
	"fmt"
)

// Errors, exported by package store under the same names.
var (
	ErrNotFound    = errors.New("store: not found")
	ErrUnavailable = errors.New("store: keychain unavailable")
	ErrCorrupt     = errors.New("store: stored value corrupt")
)

// ErrNoKeychain marks a keychain that does not exist in this session, as opposed to one that
// fails now: nothing can have been saved in it from here.
var ErrNoKeychain = errors.New("no keychain in this session")

// ErrNoSessionBus means no D-Bus session bus runs, so there is no Secret Service to ask.
var ErrNoSessionBus = fmt.Errorf("%w: %w: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS names none, no $XDG_RUNTIME_DIR/bus)",
	ErrUnavailable, ErrNoKeychain)

// Size limits of stored values, checked before anything is allocated for them.
const (
	// MaxValue is the largest value a keychain store keeps: a cached record holds a token
	// that token.Verify accepts (at most 256 KiB) beside its key and seal.
	MaxValue = 1 << 20
	// MaxItem is the largest item read back: a whole value with its framing.
	MaxItem = MaxValue + 2048
)

// Keyring is the shape of go-keyring's functions; package store's Keyring is the same.
type Keyring interface {
	Set(service, user, password string) error
	Get(service, user string) (string, error)
	Delete(service, user string) error
}
