package keyring

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// sessionBusAddress returns the address of the D-Bus session bus that already runs for this
// user, or "" when there is none. It starts nothing and connects to nothing: the address comes
// from DBUS_SESSION_BUS_ADDRESS (a unix:path= socket only if it exists), else from
// $XDG_RUNTIME_DIR/bus when that socket exists (as systemd --user and dbus-broker provide it). Transports that would start a process or look one
// up ("autolaunch:", "unixexec:", "launchd:") are dropped, so a headless machine never gets
// a bus launched for it. godbus's own SessionBus, which go-keyring uses, runs dbus-launch
// instead: that is the daemon a headless start used to leave behind.
func sessionBusAddress(getenv func(string) string, socketExists func(string) bool) string {
	var kept []string
	for _, a := range strings.Split(getenv("DBUS_SESSION_BUS_ADDRESS"), ";") {
		a = strings.TrimSpace(a)
		transport, params, ok := strings.Cut(a, ":")
		if !ok || (transport != "unix" && transport != "tcp" && transport != "nonce-tcp") {
			continue
		}
		// A socket path that does not exist is a bus that is gone (a stale address, such as
		// one inherited from a session that has ended).
		if p, ok := busParam(params, "path"); transport == "unix" && ok && !socketExists(p) {
			continue
		}
		kept = append(kept, a)
	}
	if len(kept) > 0 {
		return strings.Join(kept, ";")
	}
	if dir := getenv("XDG_RUNTIME_DIR"); dir != "" && filepath.IsAbs(dir) {
		p := filepath.Join(dir, "bus")
		if socketExists(p) {
			return "unix:path=" + escapeBusValue(p)
		}
	}
	return ""
}

// busParam returns the unescaped value of key in a D-Bus address's "k=v,k=v" parameters.
func busParam(params, key string) (string, bool) {
	for _, kv := range strings.Split(params, ",") {
		if v, ok := strings.CutPrefix(kv, key+"="); ok {
			u, err := url.PathUnescape(v)
			return u, err == nil
		}
	}
	return "", false
}

// isSocket reports whether p is a Unix socket, without opening it.
func isSocket(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode()&os.ModeSocket != 0
}

// escapeBusValue escapes a D-Bus address value: bytes outside [-0-9A-Za-z_/.\*] become %XX.
func escapeBusValue(s string) string {
	const hex = "0123456789abcdef"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '-', c == '_', c == '/', c == '.', c == '\\', c == '*':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}
