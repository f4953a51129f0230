// Package fingerprint reads the signals that identify this machine to the activation API: the
// operating system and its version, the host name, a fingerprint, a keyed hash of the user name,
// and whether the program runs in a virtual machine or a container.
//
// # Sources
//
// On Linux (and Android) the rules read a file tree and an environment given as a [Snapshot]:
// [Collect] runs them over the real machine, [CollectFrom] over any snapshot (the fixture trees
// under testdata, or a [Capture] sent by a customer), writing nothing and starting nothing. They
// read only what each decision needs: on an x86 bare-metal host, 12 small files. On the live
// machine Collect asks the kernel whether the root is an overlay and what holds the machine-id
// (statfs, statx) rather than read /proc/self/mountinfo, which it reads only when those answers
// do not settle a rule: 11 files there. [CollectFingerprint], for offline checks, reads only
// what the fingerprint needs: the container markers and the machine-id, 5 files there. Windows
// reads the registry and macOS sysctl and /usr/sbin/ioreg; their decisions are pure functions
// tested on any OS. [Collect] documents the fingerprint's fallback chain and [UserHash] the user
// hash.
//
// # Virtual machines and containers
//
// VMName names the hypervisor of a guest, decided in the order of systemd-detect-virt: WSL first
// (WSL 2 on any kernel is "WSL2"; WSL 1 is no VM), then firmware strings, then
// /sys/hypervisor, then the CPU's hypervisor flag. A host is not a guest: loading the kvm module,
// being Xen's dom0 or Hyper-V's root partition, or carrying a cloud's firmware strings on its
// bare metal (AWS *.metal*, Google's *-metal) leaves VMName "". A cloud's strings count only
// with proof of a hypervisor below (the x86 CPU flag, the SMBIOS virtual-machine bit).
//
// Container is set by what container runtimes create: /.dockerenv, /run/.containerenv,
// $container and /run/systemd/container (not "wsl" or "flatpak"), Kubernetes' variables, the
// shapes of runtimes' cgroups (/docker/<id>, docker-<id>.scope, kubepods, /lxc/<name>, ...) and
// a root overlay of runtimes' layers. Words in unit names (a "docker-desktop" app on the host)
// and the overlay root of a live or image-based system are not containers.
//
// # Support
//
// [Explain] and [ExplainFrom] say why: which id source was used and why the others
// were refused, and why the machine counts as a VM or container. [CaptureThisMachine] records
// what the rules read without any raw id, for the command cmd/tollgate.
//
// It does no network I/O.
package fingerprint
