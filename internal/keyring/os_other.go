//go:build !((dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd)

package keyring

import "runtime"

// OS returns the OS keychain of this platform.
func OS() Keyring { return GoKeyring{} }

// ChunkSize is the largest item the platform's keychain takes through go-keyring: Windows
// refuses a credential blob over 2560 bytes (CRED_MAX_CREDENTIAL_BLOB_SIZE); on macOS go-keyring
// passes the secret base64-encoded (4/3 larger, with an 18-byte prefix) on a `security` command
// line of at most 4096 bytes beside the service and account names, which leaves about 3000.
func ChunkSize() int {
	switch runtime.GOOS {
	case "windows":
		return 2560
	case "darwin", "ios":
		return 2800
	}
	return 0
}
