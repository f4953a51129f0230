package fingerprint

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"runtime"
)

// ErrUnsupportedOS is returned by Collect on an operating system the activation API has no
// name for.
var ErrUnsupportedOS = errors.New("fingerprint: unsupported operating system")

// Collect reads this machine's signals. appID salts the fingerprint and the user hash, so two
// applications on one machine see unrelated values. It does no network I/O.
//
// On Linux and Android, Collect is [CollectFrom] over the real machine ("/", the process
// environment, os.Hostname and the OS user) plus the install id, which Collect creates and keeps
// where CollectFrom would return [ErrNoMachineID]. CollectFrom documents the rules and what
// they read; [Explain] says why they answered as they did.
//
// # Fingerprint
//
// Where no hardware anchor is readable, the fingerprint is hex(HMAC-SHA256(key = machine id,
// message = appID)), the construction of machineid.ProtectedID: 64 lowercase hex digits. Where
// anchors are read, it is bound to them too (64 hex digits; see the package doc, "Identity"),
// and Machine.Anchors lists them. The machine id is the first usable one of:
//
//   - Linux and Android: /etc/machine-id, then /var/lib/dbus/machine-id, then the DMI product
//     UUID (/sys/class/dmi/id/product_uuid, readable by root). A machine-id file that is a tmpfs
//     mount is refused: systemd made it up at this boot (read-only /etc, first boot) and it
//     changes at the next, and a later source holding the same id (a link to it) is refused with
//     it. Inside a container the two machine-id files are used only when mounted in from the
//     host's durable file system, because an image's copy is shared by every container made
//     from it.
//   - Windows: MachineGuid under HKLM\SOFTWARE\Microsoft\Cryptography.
//   - macOS: IOPlatformUUID, from /usr/sbin/ioreg run by its full path (launchd's PATH is empty).
//   - Everywhere, last: an install id, 128 random bits generated once and kept in
//     os.UserConfigDir()/tollgate/install-id (mode 0600). It is per user and is lost with that
//     directory.
//
// An id is unusable when it is missing, empty, "uninitialized", not hexadecimal, one repeated
// digit (all zeros), or one of a list of ids known to be shared by many machines. When no id is
// usable and no install id can be kept, Collect fails with an error wrapping [ErrNoMachineID]
// rather than return a weak value. Machine.Source says which source was used.
//
// The user hash is described at [UserHash].
func Collect(ctx context.Context, appID string) (Machine, error) {
	m, _, err := defaultCollector().collect(ctx, appID, false)
	return m, err
}

// CollectFingerprint reads only what identifies this machine: the Machine it returns has OS,
// Fingerprint and Source set, and on Linux and Android Container (the id rules depend on it);
// OSVersion, Hostname, UserHash and VMName are left empty. Fingerprint and Source are those
// [Collect] returns for appID, by the same rules and the same install-id fallback, with the same
// errors ([ErrNoMachineID], [ErrUnsupportedOS]); it does not read the host name or the user, so
// it can succeed where Collect fails for want of them.
//
// It is for offline checks, which need the fingerprint alone (a token's binding, the key of a
// sealed cache), at start-up, when every file read counts: on Linux it skips the OS version,
// the VM rules (/proc/cpuinfo, the DMI strings) and the user database, and reads about five
// small files. Windows reads only MachineGuid, and macOS only runs ioreg, skipping the version
// and firmware values.
func CollectFingerprint(ctx context.Context, appID string) (Machine, error) {
	return defaultCollector().collectFingerprint(ctx, appID)
}

// Explain is [Collect] that also says why: which id source was used and why the
// others were refused, why the machine counts as a VM or a container, and on Linux which files
// were read. It judges every id source, and reads /proc/self/mountinfo where Collect asks the
// kernel (the evidence names mount points), so it reads a few more files than Collect; the
// Machine is the same. The support tool (cmd/tollgate) prints it.
func Explain(ctx context.Context, appID string) (Machine, Evidence, error) {
	return defaultCollector().collect(ctx, appID, true)
}

// collector holds every seam through which Collect reads the machine.
type collector struct {
	goos      string
	fsys      fs.FS // rooted at "/"
	lookupEnv func(string) (string, bool)
	hostname  func() (string, error)
	userName  func() (string, error)
	installID func(ctx context.Context) (string, error)
	native    func(ctx context.Context) (nativeInfo, error)    // Windows and macOS readers
	nativeIDs func(ctx context.Context) ([]idCandidate, error) // their ids alone
	anchors   func() []rawAnchor                               // their hardware anchors
	probeHook func(*probe)                                     // sees the Linux probe (captures)
	statPath  func(path string) (pathStat, error)              // the live kernel's answers; nil = mountinfo's
	noAnchors bool                                             // read no hardware anchor (the benchmark pair's "before")
}

// nativeInfo is what the Windows and macOS readers return: raw values, already classified.
type nativeInfo struct {
	osVersion    string
	vm           string
	vmWhy        string
	container    bool
	containerWhy string
	ids          []idCandidate
}

// idCandidate is one raw id that a native reader found.
type idCandidate struct {
	source Source
	raw    string
}

func defaultCollector() *collector {
	return &collector{
		goos:      runtime.GOOS,
		fsys:      os.DirFS("/"),
		lookupEnv: os.LookupEnv,
		hostname:  os.Hostname,
		userName:  currentUserName,
		installID: func(ctx context.Context) (string, error) { return fileInstallID(ctx, "") },
		native:    readNative,
		nativeIDs: readNativeIDs,
		anchors:   readNativeAnchors,
		statPath:  statLive,
	}
}

func currentUserName() (string, error) {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username, nil
	}
	for _, k := range []string{"USER", "LOGNAME", "USERNAME"} {
		if v := os.Getenv(k); v != "" {
			return v, nil
		}
	}
	return "", errors.New("fingerprint: cannot tell the current user")
}

// osName maps GOOS to the activation API's enum.
func osName(goos string) (string, bool) {
	switch goos {
	case "windows":
		return OSWindows, true
	case "linux":
		return OSLinux, true
	case "darwin":
		return OSMacOS, true
	case "android":
		return OSAndroid, true
	case "ios":
		return OSIOS, true
	}
	return "", false
}

func (c *collector) collect(ctx context.Context, appID string, all bool) (Machine, Evidence, error) {
	if err := checkArgs(ctx, appID); err != nil {
		return Machine{}, Evidence{}, err
	}
	name, ok := osName(c.goos)
	if !ok {
		return Machine{}, Evidence{}, fmt.Errorf("%w: %s", ErrUnsupportedOS, c.goos)
	}
	if c.goos == "linux" || c.goos == "android" {
		return c.collectLinux(ctx, appID, name, all)
	}
	// Windows and macOS: their readers, then the same install-id fallback.
	info, err := c.native(ctx)
	if err != nil {
		return Machine{}, Evidence{}, err
	}
	m := Machine{OSVersion: info.osVersion, VMName: info.vm, Container: info.container}
	ev := Evidence{VM: info.vmWhy, Container: info.containerWhy}
	var key string
	m.Fingerprint, m.Source, ev.IDs, key = pickNative(appID, info.ids)
	m.OS = name

	host, err := c.hostname()
	if err != nil || host == "" {
		return Machine{}, ev, fmt.Errorf("fingerprint: hostname: %v", err)
	}
	m.Hostname = host

	if m.Fingerprint == "" {
		id, err := c.installID(ctx)
		if err != nil {
			return Machine{}, ev, fmt.Errorf("%w: %w", ErrNoMachineID, err)
		}
		m.Fingerprint, m.Source, key = protect(appID, id), SourceInstallID, anchorKey(appID, id)
		ev.IDs = append(ev.IDs, IDCheck{Source: SourceInstallID, Usable: true, Why: "used: no machine id above was usable", Fingerprint: m.Fingerprint})
	}
	c.bindNativeAnchors(&m, &ev, key)

	user, err := c.userName()
	if err != nil {
		return Machine{}, ev, err
	}
	m.UserHash = UserHash(appID, c.goos, user)
	return m, ev, nil
}

// pickNative judges the ids a Windows or macOS reader found: the first usable one gives the
// fingerprint and the anchor key; "" when none is usable and the install id is needed.
func pickNative(appID string, ids []idCandidate) (fingerprint string, src Source, checks []IDCheck, key string) {
	for _, cand := range ids {
		check := IDCheck{Source: cand.source}
		if c := checkIDContent(appID, cand.raw, nil); c.fingerprint == "" {
			check.Why = c.why
		} else if fingerprint == "" {
			check.Usable, check.Why, check.Fingerprint = true, "used", c.fingerprint
			fingerprint, src, key = c.fingerprint, cand.source, c.key
		}
		checks = append(checks, check)
	}
	return fingerprint, src, checks, key
}

// bindNativeAnchors binds m, whose id's fingerprint is m.Fingerprint and anchor key key, to the
// Windows or macOS hardware anchors, and says so in ev when it is not nil.
func (c *collector) bindNativeAnchors(m *Machine, ev *Evidence, key string) {
	var raw []rawAnchor
	if c.anchors != nil {
		raw = c.anchors()
	}
	checks := hashAnchors(key, raw)
	base := m.Fingerprint
	m.bindAnchors(base, key, checks)
	if ev != nil {
		describeAnchors(ev, *m, base, checks)
	}
}

func (c *collector) collectFingerprint(ctx context.Context, appID string) (Machine, error) {
	if err := checkArgs(ctx, appID); err != nil {
		return Machine{}, err
	}
	name, ok := osName(c.goos)
	if !ok {
		return Machine{}, fmt.Errorf("%w: %s", ErrUnsupportedOS, c.goos)
	}
	if c.goos == "linux" || c.goos == "android" {
		m, err := fingerprintFrom(ctx, appID, Snapshot{FS: c.fsys, live: c.live()})
		if err != nil {
			return Machine{}, err
		}
		m.OS = name
		return m, nil
	}
	ids, err := c.nativeIDs(ctx)
	if err != nil {
		return Machine{}, err
	}
	m := Machine{OS: name}
	var key string
	m.Fingerprint, m.Source, _, key = pickNative(appID, ids)
	if m.Fingerprint == "" {
		id, err := c.installID(ctx)
		if err != nil {
			return Machine{}, fmt.Errorf("%w: %w", ErrNoMachineID, err)
		}
		m.Fingerprint, m.Source, key = protect(appID, id), SourceInstallID, anchorKey(appID, id)
	}
	c.bindNativeAnchors(&m, nil, key)
	return m, nil
}

// live is what the Linux rules add to a Snapshot of the real machine.
//
// On Android the kernel is not asked (stat stays nil, so mountinfo answers): an app process's
// seccomp policy answers openat2 and other calls outside bionic's list with SIGSYS, which kills
// the process instead of returning an error to fall back on.
func (c *collector) live() *liveMachine {
	stat := c.statPath
	if c.goos == "android" {
		stat = nil
	}
	return &liveMachine{lookupEnv: c.lookupEnv, installID: c.installID, probeHook: c.probeHook, stat: stat, noAnchors: c.noAnchors}
}

// collectLinux is CollectFrom over the real machine, plus the install id, which it creates and
// keeps where CollectFrom would return ErrNoMachineID.
func (c *collector) collectLinux(ctx context.Context, appID, osName string, all bool) (Machine, Evidence, error) {
	host, err := c.hostname()
	if err != nil || host == "" {
		return Machine{}, Evidence{}, fmt.Errorf("fingerprint: hostname: %v", err)
	}
	user, err := c.userName()
	if err != nil {
		return Machine{}, Evidence{}, err
	}
	s := Snapshot{FS: c.fsys, Hostname: host, UserName: user, live: c.live()}
	m, ev, err := collectFrom(ctx, appID, s, all)
	m.OS = osName
	return m, ev, err
}
