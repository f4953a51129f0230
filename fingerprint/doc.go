// Package fingerprint reads the signals that identify this machine to the activation API: the
// operating system and its version, the host name, a fingerprint, a keyed hash of the user name,
// and whether the program runs in a virtual machine or a container.
//
// # Sources
//
// On Linux (and Android) every file and variable is read through a seam, so that captured
// trees under testdata stand in for real machines in tests. Windows reads the registry and
// macOS sysctl and /usr/sbin/ioreg; their decisions are pure functions tested on any OS.
// [Collect] documents the fingerprint's fallback chain and [UserHash] the user hash.
//
// # Virtual machines and containers
//
// VMName names the hypervisor of a guest from firmware strings, /sys/hypervisor, the kernel
// release (WSL2) and the CPU's hypervisor flag; a host that merely loads the kvm module is not a
// guest. Container is set by /.dockerenv, /run/.containerenv, cgroup markers, Kubernetes and
// systemd variables, and an overlay root file system.
//
// It does no network I/O.
package fingerprint
