//go:build darwin

package fingerprint

import (
	"context"
	"os/exec"
	"runtime"
	"time"

	"golang.org/x/sys/unix"
)

// ioregPath is ioreg's full path: under launchd PATH is empty, so it must not be looked up.
const ioregPath = "/usr/sbin/ioreg"

// readNative reads the macOS (and iOS) signals through sysctl and ioreg.
func readNative(ctx context.Context) (nativeInfo, error) {
	var info nativeInfo
	info.osVersion, _ = unix.Sysctl("kern.osproductversion")
	vmm, err := unix.SysctlUint32("kern.hv_vmm_present")
	model, _ := unix.Sysctl("hw.model")
	info.vm = classifyMac(err == nil && vmm == 1, model)
	info.vmWhy = "kern.hv_vmm_present and hw.model " + quote(model)
	info.containerWhy = "macOS has no containers"
	ids, err := readNativeIDs(ctx)
	info.ids = ids
	return info, err
}

// readNativeIDs reads the macOS machine id alone: IOPlatformUUID (none on iOS).
func readNativeIDs(ctx context.Context) ([]idCandidate, error) {
	var ids []idCandidate
	if runtime.GOOS == "darwin" {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, ioregPath, "-rd1", "-c", "IOPlatformExpertDevice").Output()
		if err == nil {
			ids = append(ids, idCandidate{SourcePlatformUUID, parseIOPlatformUUID(string(out))})
		}
	}
	return ids, ctx.Err()
}
