package licensingtest

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/tollgate-dev/tollgate/fingerprint"
)

// Machine returns a fake machine, for licensing.Config.Machine: a Linux host whose Hostname is
// name ("test-machine" when name is "") and whose Fingerprint (64 hex digits) and UserHash are
// derived from name. Distinct names are distinct machines, and one name is the same machine in
// every run, so a test can activate several machines against one Server.
//
// A test that leaves Config.Machine nil collects the real machine's signals and may write an
// install id into the developer's config folder; with Machine nothing on the computer is read
// or written. (Give Config.Store a store.NewMemory() too, or the cache goes to the OS
// keychain.) Change the result's fields for a virtual machine (VMName "KVM"), a container
// (Container true) or another OS.
func Machine(name string) *fingerprint.Machine {
	host := name
	if host == "" {
		host = "test-machine"
	}
	fp := sha256.Sum256([]byte("licensingtest/fingerprint\x00" + name))
	user := sha256.Sum256([]byte("licensingtest/user\x00" + name))
	return &fingerprint.Machine{OS: fingerprint.OSLinux, OSVersion: "12", Hostname: host,
		Fingerprint: hex.EncodeToString(fp[:]), UserHash: hex.EncodeToString(user[:])}
}
