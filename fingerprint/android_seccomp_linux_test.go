//go:build linux && (amd64 || arm64)

package fingerprint

import (
	"context"
	"os"
	"os/exec"
	"runtime"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// sysOpenat2 is openat2's number on amd64 and arm64 alike.
const sysOpenat2 = 437

// trapOpenat2 installs, on every thread of this process, the seccomp rule that Android applies
// to app processes for a system call outside bionic's SYSCALLS.TXT, openat2 among them:
// SECCOMP_RET_TRAP, which delivers SIGSYS instead of returning ENOSYS or EPERM
// (golang/go#57393 for faccessat2; bytecodealliance/cap-std#196 and oven-sh/bun#39084 for
// openat2 itself).
func trapOpenat2(t *testing.T) {
	arch := uint32(unix.AUDIT_ARCH_X86_64)
	if runtime.GOARCH == "arm64" {
		arch = unix.AUDIT_ARCH_AARCH64
	}
	filter := []unix.SockFilter{
		{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: 4}, // seccomp_data.arch
		{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, K: arch, Jt: 0, Jf: 3},
		{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: 0}, // seccomp_data.nr
		{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, K: sysOpenat2, Jt: 0, Jf: 1},
		{Code: unix.BPF_RET | unix.BPF_K, K: unix.SECCOMP_RET_TRAP},
		{Code: unix.BPF_RET | unix.BPF_K, K: unix.SECCOMP_RET_ALLOW},
	}
	prog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		t.Skipf("PR_SET_NO_NEW_PRIVS: %v", err)
	}
	if _, _, e := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, unix.SECCOMP_FILTER_FLAG_TSYNC,
		uintptr(unsafe.Pointer(&prog))); e != 0 {
		t.Skipf("seccomp: %v", e)
	}
}

// TestAndroidCollectIssuesNoOpenat2: on Android (GOOS=android builds mounts_linux.go, so statLive
// runs there), the app sandbox's seccomp policy answers openat2 with SIGSYS, which kills the
// process: Collect and CollectFingerprint must never issue it there. The child process below
// runs the Android collector under that policy; today it dies in statLive with "SIGSYS: bad
// system call" the first time a machine-id file's mount rule is asked.
func TestAndroidCollectIssuesNoOpenat2(t *testing.T) {
	if os.Getenv("TOLLGATE_SECCOMP_CHILD") == "1" {
		trapOpenat2(t)
		c := defaultCollector()
		c.goos = "android"
		ctx := context.Background()
		if _, err := c.collectFingerprint(ctx, "app-1"); err != nil {
			t.Logf("CollectFingerprint: %v", err)
		}
		if _, _, err := c.collect(ctx, "app-1", false); err != nil {
			t.Logf("Collect: %v", err)
		}
		return
	}
	if testing.Short() {
		t.Skip("runs a child process")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestAndroidCollectIssuesNoOpenat2$", "-test.v")
	cmd.Env = append(os.Environ(), "TOLLGATE_SECCOMP_CHILD=1", "XDG_CONFIG_HOME="+t.TempDir(), "HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the Android collector under Android's seccomp policy: %v\n%.3000s", err, out)
	}
}
