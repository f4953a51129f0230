// Package fingerprint reads the signals that identify this machine to the activation API: the
// operating system and its version, the host name, a fingerprint, a keyed hash of the user name,
// and whether the program runs in a virtual machine or a container.
//
// # Sources
//
// On Linux (and Android) the rules read a file tree and an environment given as a [Snapshot]:
// [Collect] runs them over the real machine, [CollectFrom] over any snapshot (the fixture trees
// under testdata, or a [Capture] sent by a customer), writing nothing and starting nothing. They
// read only what each decision needs: on an x86 bare-metal host, 19 small files, and the
// hardware anchors' sysfs files. On the live machine Collect asks the kernel whether the root is
// an overlay and what holds the machine-id (statfs, statx) rather than read /proc/self/mountinfo,
// which it reads only when those answers do not settle a rule: 18 files there.
// [CollectFingerprint], for offline checks, reads only what the fingerprint needs: the
// container markers, the machine-id and the anchors, 12 files there besides the anchors'.
// Windows reads the registry and macOS sysctl and /usr/sbin/ioreg; their decisions are pure
// functions tested on any OS. [Collect] documents the fingerprint's fallback chain and
// [UserHash] the user hash.
//
// # Identity
//
// A seat is bound to the fingerprint, so it must be stable for one machine, differ between
// machines, and be chosen by nobody: not the owner, not an environment variable. These rules
// make it so.
//
//  1. The OS id (machine-id, MachineGuid, IOPlatformUUID; see [Collect]) is one source of
//     identity. Machines cloned from one image share it, so it is not enough alone.
//  2. Hardware anchors are the other: values an ordinary user can read and a clone does not
//     share. On Linux, the MAC address of each physical network interface as the hardware gave
//     it (/sys/class/net/*: a device behind it, addr_assign_type 0), NVMe serials
//     (/sys/class/nvme/*/serial), SCSI/ATA disks' world-wide ids (/sys/block/sd*/device/wwid,
//     not removable ones), and the SMBIOS UUID where readable (root only). On Windows, the
//     addresses of physical adapters (NCF_PHYSICAL) and the SMBIOS UUID from the registry's
//     copy of the table; on macOS, the universal addresses of the en* interfaces. None is read
//     by starting a process. virtio disks' serials are not read: each read is a request to the
//     device. Each anchor is kept only as a keyed hash ([Anchor]): HMAC-SHA256 under a key
//     derived from the OS id and the app id, so it can neither be reversed from a guessed MAC
//     nor compared across applications. At most 16 are kept (the lowest hashes).
//  3. The fingerprint is hex(HMAC-SHA256(that key, the sorted anchors)): clones of one image get
//     different fingerprints. Where no anchor is readable, it is the OS id's alone, as before
//     anchors existed, and [Explain] says so (Evidence.AnchorsWhy).
//  4. The licensing client keeps the anchors seen at activation in its sealed record and, on
//     every later run, calls [Reconcile]: while at least half of them, and at least one, are
//     still read, the machine is the activated one and its fingerprint is derived from the
//     activated anchors, so a swapped disk or network card keeps the seat (with two anchors,
//     one may change; with three, one). A clone, whose anchors all differ, or a machine most of
//     whose hardware changed, is a new machine: its own fingerprint, and the cached token is
//     bound to another. An activation that kept no anchors (made before anchors, or where none
//     was readable) keeps the OS id's fingerprint. The kept list cannot be edited to advantage:
//     the fingerprint derived from any other list is not the one the token carries.
//  5. The environment adds evidence, never identity. $container and $KUBERNETES_SERVICE_HOST
//     set Machine.Container, but only the file system can prove a container and so refuse the
//     machine-id as an image's; no variable alone changes the fingerprint of a machine whose OS
//     id is usable. The user-writable install id is used only where the file system proves
//     every OS id unusable.
//  6. A user namespace's view of /etc is not the host's: in a user namespace (uid_map not the
//     identity), an id file on any mount but the root (a bind mount over /etc/machine-id or over
//     /etc, as `unshare -Urm` lets anyone make) is refused, unless the mount shows a durable
//     file system's own file at the same path, which an unprivileged user cannot make: how
//     Flatpak's sandbox binds the host's /etc/machine-id. A FUSE or overlay mount never counts.
//
// # Virtual machines and containers
//
// VMName names the hypervisor of a guest, decided in the order of systemd-detect-virt: WSL first
// (WSL 2 on any kernel is "WSL2"; WSL 1 is no VM), then firmware strings (systemd's DMI vendor
// table; "Oracle Corporation", which Oracle's own servers carry, only with proof of a
// hypervisor), User Mode Linux, then /sys/hypervisor, then off x86 the device tree
// (hypervisor/compatible, PowerVM, QEMU's fw-cfg and "qemu,pseries"), then the CPU's hypervisor
// flag. A container (proved by the file system) that sees the flag and nothing naming a
// hypervisor, as on a cloud VM that hides its DMI, reports VMName "", as the vendor's own client
// does: a license that refuses VMs must not refuse the SDK's users where it admits the vendor
// client's, and Machine.Container says what the process runs in. A host is not a guest: loading
// the kvm module, being Xen's dom0 or Hyper-V's root partition, or carrying a cloud's firmware
// strings on its bare metal (AWS *.metal*, Google's *-metal) leaves VMName "". A cloud's strings
// count only with proof of a hypervisor below (the x86 CPU flag, the SMBIOS virtual-machine bit).
//
// Container is set by what container runtimes create, as systemd-detect-virt reads it: OpenVZ
// (/proc/vz without /proc/bc), proot (the tracer's name), /.dockerenv, /run/.containerenv,
// /run/host/container-manager and /run/systemd/container (not "wsl" or "flatpak"), PID 1's
// environment, the shapes of runtimes' cgroups (/docker/<id>, docker-<id>.scope, kubepods,
// /lxc/<name>, ...), a private cgroup namespace, and a root overlay of runtimes' layers; then
// $container and Kubernetes' variables, which add evidence but prove nothing (see Identity).
// Words in unit names (a "docker-desktop" app on the host) and the overlay root of a live or
// image-based system are not containers.
//
// # Support
//
// [Explain] and [ExplainFrom] say why: which id source was used and why the others
// were refused, and why the machine counts as a VM or container. [CaptureThisMachine] records
// what the rules read without any raw id, for the command cmd/tollgate.
//
// It does no network I/O.
package fingerprint
