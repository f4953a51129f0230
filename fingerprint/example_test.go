package fingerprint_test

import (
	"context"
	"fmt"
	"testing/fstest"

	"github.com/tollgate-dev/tollgate/fingerprint"
)

// A live-boot system: its root is an overlay, but not of a container runtime's layers, so its
// machine-id is the fingerprint's source. CollectFrom reads only the tree it is given.
func ExampleCollectFrom() {
	machine := fstest.MapFS{
		"etc/os-release":            {Data: []byte("VERSION_ID=\"12\"\n")},
		"etc/machine-id":            {Data: []byte("9e4b2d7f1a3c5e8b0d2f4a6c8e1b3d5f\n")},
		"proc/sys/kernel/osrelease": {Data: []byte("6.1.0-21-amd64\n")},
		"proc/cpuinfo":              {Data: []byte("processor\t: 0\nflags\t\t: fpu vme vmx\n")},
		"proc/self/cgroup":          {Data: []byte("0::/user.slice/user-1000.slice/session-2.scope\n")},
		"proc/self/mountinfo": {Data: []byte("30 1 0:31 / / rw - overlay overlay rw,lowerdir=/run/live/rootfs/filesystem.squashfs/," +
			"upperdir=/run/live/overlay/rw,workdir=/run/live/overlay/work\n")},
	}
	s := fingerprint.Snapshot{FS: machine, Hostname: "live", UserName: "user"}
	m, err := fingerprint.CollectFrom(context.Background(), "my-app", s)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("os %s %s, vm %q, container %v, fingerprint from %s\n", m.OS, m.OSVersion, m.VMName, m.Container, m.Source)
	// ExplainFrom gives the same Machine, and says why.
	_, ev, _ := fingerprint.ExplainFrom(context.Background(), "my-app", s)
	fmt.Println("container:", ev.Container)
	// Output:
	// os linux 12, vm "", container false, fingerprint from machine-id
	// container: no container marker; the root is an overlay, but not of container layers (a live or image-based system)
}

// An offline check needs only the fingerprint: to see whether a cached token is this machine's,
// or to derive the key that seals a cache. CollectFingerprint reads what that takes and no
// more; Collect, with every signal, is for what is sent to the server.
func ExampleCollectFingerprint() {
	ctx := context.Background()
	m, err := fingerprint.CollectFingerprint(ctx, "my-app")
	if err != nil {
		fmt.Println(err) // wraps fingerprint.ErrNoMachineID when no id is usable or can be kept
		return
	}
	fmt.Println(m.OS, m.Source, m.Fingerprint)
	// Later, online: every signal, the same fingerprint.
	full, err := fingerprint.Collect(ctx, "my-app")
	if err == nil && full.Fingerprint == m.Fingerprint {
		fmt.Println("same machine")
	}
}
