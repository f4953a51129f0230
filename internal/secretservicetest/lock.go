// Package secretservicetest locks and unlocks the Secret Service's default collection, for the
// tests that run against a real gnome-keyring inside .ci/keychain-tests' private D-Bus session.
package secretservicetest

import (
	"testing"

	"github.com/godbus/dbus/v5"
)

// Password is the login keyring's password; .ci/keychain-tests creates the keyring with it.
const Password = "pw"

// Lock locks the default collection through the Secret Service API (locking needs no prompt)
// and returns a function that unlocks it again with gnome-keyring's master-password interface,
// also called at cleanup. It uses the session bus of DBUS_SESSION_BUS_ADDRESS and fails the test
// when there is none.
func Lock(t testing.TB) (unlock func()) {
	t.Helper()
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	svc := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets")
	var coll dbus.ObjectPath
	if err := svc.Call("org.freedesktop.Secret.Service.ReadAlias", 0, "default").Store(&coll); err != nil {
		t.Fatal(err)
	}
	var locked []dbus.ObjectPath
	var prompt dbus.ObjectPath
	if err := svc.Call("org.freedesktop.Secret.Service.Lock", 0, []dbus.ObjectPath{coll}).Store(&locked, &prompt); err != nil {
		t.Fatal(err)
	}
	done := false
	unlock = func() {
		if done {
			return
		}
		done = true
		var out dbus.Variant
		var sess dbus.ObjectPath
		if err := svc.Call("org.freedesktop.Secret.Service.OpenSession", 0, "plain", dbus.MakeVariant("")).Store(&out, &sess); err != nil {
			t.Error(err)
			return
		}
		secret := struct {
			Session     dbus.ObjectPath
			Parameters  []byte
			Value       []byte
			ContentType string
		}{sess, []byte{}, []byte(Password), "text/plain"}
		err := conn.Object("org.gnome.keyring", "/org/freedesktop/secrets").Call(
			"org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface.UnlockWithMasterPassword", 0, coll, secret).Err
		if err != nil {
			t.Errorf("could not unlock the collection again: %v", err)
		}
	}
	t.Cleanup(unlock)
	return unlock
}
