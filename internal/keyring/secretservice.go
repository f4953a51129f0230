//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package keyring

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/godbus/dbus/v5"
)

// The Secret Service API (freedesktop.org), as gnome-keyring, KWallet and KeePassXC serve it.
const (
	ssName           = "org.freedesktop.secrets"
	ssPath           = dbus.ObjectPath("/org/freedesktop/secrets")
	ssService        = "org.freedesktop.Secret.Service"
	ssCollection     = "org.freedesktop.Secret.Collection"
	ssItem           = "org.freedesktop.Secret.Item"
	ssLoginPath      = dbus.ObjectPath("/org/freedesktop/secrets/collection/login")
	ssDefaultAlias   = dbus.ObjectPath("/org/freedesktop/secrets/aliases/default")
	ssNoPrompt       = dbus.ObjectPath("/")
	ssErrIsLocked    = "org.freedesktop.Secret.Error.IsLocked"
	ssErrNoSuchObj   = "org.freedesktop.Secret.Error.NoSuchObject"
	ssErrUnknownObj  = "org.freedesktop.DBus.Error.UnknownObject"
	ssErrUnknownMeth = "org.freedesktop.DBus.Error.UnknownMethod"
)

// ErrLocked is returned, without any prompt, when the collection is locked.
var ErrLocked = fmt.Errorf("%w: the keychain is locked (unlock it, then try again)", ErrUnavailable)

// secretService talks to the Secret Service over a private connection per call, instead of
// go-keyring's shared one:
//   - it finds the session bus without starting one (see sessionBusAddress);
//   - every call ends when its ctx does: closing the connection ends a hung call, so nothing
//     is left parked and no lock is held past the deadline;
//   - it never opens an unlock prompt: a locked collection is ErrLocked at once (go-keyring's
//     prompt handling registers a signal channel per call that is never removed, which is
//     how a locked keychain used to grow a process by thousands of goroutines);
//   - a secret has no small size limit, so a value up to MaxValue is one item.
//
// Items are stored as go-keyring stores them (attributes "service" and "username", in the
// "login" collection or else the default one), so values cached by earlier versions are read.
type secretService struct {
	address func() string
}

// OS returns the OS keychain of this platform: the Secret Service, found without starting anything.
func OS() Keyring {
	return secretService{address: func() string { return sessionBusAddress(os.Getenv, isSocket) }}
}

// ChunkSize is the largest item: the Secret Service has no small limit, so a value is one item.
func ChunkSize() int { return MaxValue + 1024 }

// Available reports, without starting or connecting to anything, whether a session bus exists.
func (s secretService) Available() error {
	if s.address() == "" {
		return ErrNoSessionBus
	}
	return nil
}

type ssConn struct {
	conn       *dbus.Conn
	collection dbus.ObjectPath
}

// open connects to the session bus and finds the collection; the connection closes when ctx
// ends or close is called.
func (s secretService) open(ctx context.Context) (*ssConn, error) {
	addr := s.address()
	if addr == "" {
		return nil, ErrNoSessionBus
	}
	conn, err := dbus.Connect(addr, dbus.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("%w: session bus: %v", ErrUnavailable, err)
	}
	c := &ssConn{conn: conn, collection: ssDefaultAlias}
	// On a live session bus, a Secret Service that is installed but not running yet is started
	// by the bus itself (D-Bus activation), as the desktop session does on its first use; it
	// belongs to the session and ends with it.
	v, err := conn.Object(ssName, ssPath).GetProperty(ssService + ".Collections")
	if err != nil {
		conn.Close()
		if dbusErrorName(err) == "org.freedesktop.DBus.Error.ServiceUnknown" {
			return nil, fmt.Errorf("%w: %w: no Secret Service on the session bus", ErrUnavailable, ErrNoKeychain)
		}
		return nil, fmt.Errorf("%w: Secret Service: %v", ErrUnavailable, err)
	}
	if paths, ok := v.Value().([]dbus.ObjectPath); ok {
		for _, p := range paths {
			if p == ssLoginPath {
				c.collection = ssLoginPath
			}
		}
	}
	locked, err := conn.Object(ssName, c.collection).GetProperty(ssCollection + ".Locked")
	if err != nil {
		conn.Close()
		if dbusErrorName(err) == ssErrNoSuchObj || dbusErrorName(err) == ssErrUnknownObj {
			return nil, fmt.Errorf("%w: %w: the Secret Service has no default collection", ErrUnavailable, ErrNoKeychain)
		}
		return nil, fmt.Errorf("%w: Secret Service: %v", ErrUnavailable, err)
	}
	if b, ok := locked.Value().(bool); !ok || b {
		conn.Close()
		return nil, ErrLocked
	}
	return c, nil
}

func (c *ssConn) close() { c.conn.Close() }

func attributes(service, user string) map[string]string {
	return map[string]string{"username": user, "service": service}
}

// find returns the item for service and user, or ErrNotFound.
func (c *ssConn) find(ctx context.Context, service, user string) (dbus.ObjectPath, error) {
	var items []dbus.ObjectPath
	err := c.conn.Object(ssName, c.collection).CallWithContext(ctx, ssCollection+".SearchItems", 0,
		attributes(service, user)).Store(&items)
	if err != nil {
		return "", ssError(err)
	}
	if len(items) == 0 {
		return "", ErrNotFound
	}
	return items[0], nil
}

// ssSecret is the Secret Service's Secret struct (oayays).
type ssSecret struct {
	Session     dbus.ObjectPath
	Parameters  []byte
	Value       []byte
	ContentType string
}

func (c *ssConn) session(ctx context.Context) (dbus.ObjectPath, error) {
	var out dbus.Variant
	var path dbus.ObjectPath
	err := c.conn.Object(ssName, ssPath).CallWithContext(ctx, ssService+".OpenSession", 0, "plain",
		dbus.MakeVariant("")).Store(&out, &path)
	if err != nil {
		return "", ssError(err)
	}
	return path, nil // closed with the connection
}

func dbusErrorName(err error) string {
	var de dbus.Error
	var dep *dbus.Error
	switch {
	case errors.As(err, &de):
		return de.Name
	case errors.As(err, &dep):
		return dep.Name
	}
	return ""
}

func ssError(err error) error {
	switch dbusErrorName(err) {
	case ssErrIsLocked:
		return ErrLocked
	case ssErrNoSuchObj, ssErrUnknownObj:
		return ErrNotFound
	}
	return fmt.Errorf("%w: Secret Service: %v", ErrUnavailable, err)
}

func (s secretService) GetContext(ctx context.Context, service, user string) (string, error) {
	c, err := s.open(ctx)
	if err != nil {
		return "", err
	}
	defer c.close()
	item, err := c.find(ctx, service, user)
	if err != nil {
		return "", err
	}
	sess, err := c.session(ctx)
	if err != nil {
		return "", err
	}
	var sec ssSecret
	if err := c.conn.Object(ssName, item).CallWithContext(ctx, ssItem+".GetSecret", 0, sess).Store(&sec); err != nil {
		return "", ssError(err)
	}
	if len(sec.Value) > MaxItem {
		return "", fmt.Errorf("%w: an item of %d bytes", ErrCorrupt, len(sec.Value))
	}
	return string(sec.Value), nil
}

func (s secretService) SetContext(ctx context.Context, service, user, value string) error {
	c, err := s.open(ctx)
	if err != nil {
		return err
	}
	defer c.close()
	sess, err := c.session(ctx)
	if err != nil {
		return err
	}
	props := map[string]dbus.Variant{
		ssItem + ".Label":      dbus.MakeVariant(fmt.Sprintf("Password for '%s' on '%s'", user, service)),
		ssItem + ".Attributes": dbus.MakeVariant(attributes(service, user)),
	}
	sec := ssSecret{Session: sess, Parameters: []byte{}, Value: []byte(value), ContentType: "text/plain; charset=utf8"}
	var item, prompt dbus.ObjectPath
	err = c.conn.Object(ssName, c.collection).CallWithContext(ctx, ssCollection+".CreateItem", 0, props, sec, true).
		Store(&item, &prompt)
	if err != nil {
		return ssError(err)
	}
	if prompt != ssNoPrompt {
		return fmt.Errorf("%w: the Secret Service asks for a prompt to save", ErrUnavailable)
	}
	return nil
}

func (s secretService) DeleteContext(ctx context.Context, service, user string) error {
	c, err := s.open(ctx)
	if err != nil {
		return err
	}
	defer c.close()
	for range 16 { // duplicates, if another client made some
		item, err := c.find(ctx, service, user)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		var prompt dbus.ObjectPath
		if err := c.conn.Object(ssName, item).CallWithContext(ctx, ssItem+".Delete", 0).Store(&prompt); err != nil {
			if err := ssError(err); !errors.Is(err, ErrNotFound) {
				return err
			}
		}
		if prompt != ssNoPrompt && prompt != "" {
			return fmt.Errorf("%w: the Secret Service asks for a prompt to delete", ErrUnavailable)
		}
	}
	return nil
}

// The plain Keyring methods, for callers of the exported interface.
func (s secretService) Get(service, user string) (string, error) {
	return s.GetContext(context.Background(), service, user)
}
func (s secretService) Set(service, user, value string) error {
	return s.SetContext(context.Background(), service, user, value)
}
func (s secretService) Delete(service, user string) error {
	return s.DeleteContext(context.Background(), service, user)
}
