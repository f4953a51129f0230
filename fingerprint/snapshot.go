package fingerprint

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
)

// ErrNoMachineID is wrapped by [CollectFrom] when no id source of the snapshot is usable and it
// holds no install id: where [Collect] would create an install id, CollectFrom, which writes
// nothing, stops. Collect wraps it too when it cannot keep an install id.
var ErrNoMachineID = errors.New("fingerprint: no usable machine id")

// Snapshot is a Linux machine as Collect reads it: for tests, and for replaying a machine
// captured by a support tool (see [Capture]).
//
// FS is the machine's root ("/"): the rules read etc/, proc/, sys/, var/lib/dbus/, run/ and dev/
// below it. Env is the process environment; Hostname and UserName are what the OS reports, and
// neither may be empty (a Snapshot made by [Capture.Snapshot] carries the user hash instead of
// a name). InstallID is the persisted install id, "" when there is none.
type Snapshot struct {
	FS        fs.FS             // the machine's root ("/"): etc/, proc/, sys/, var/, ...
	Env       map[string]string // the process environment
	Hostname  string
	UserName  string
	InstallID string // the persisted install id; "" = none

	// captured, set by Capture.Snapshot, stands in for the raw ids and the user name, which a
	// capture never holds: per id source its verdict and fingerprint for the capture's app id.
	captured *Capture
	// live, set by Collect, reads the real environment and keeps the install id.
	live *liveMachine
}

// liveMachine is what Collect adds to a Snapshot of the real machine.
type liveMachine struct {
	lookupEnv func(string) (string, bool)
	installID func(ctx context.Context) (string, error) // reads or creates the install id
	probeHook func(*probe)                              // sees the probe (captures)
	stat      func(path string) (pathStat, error)       // asks the kernel (see mounts.go)
	noAnchors bool                                      // reads no hardware anchor (a benchmark's floor)
}

// Evidence says why collection answered as it did: what the support tool prints. It holds no
// raw id and no user name.
type Evidence struct {
	VM        string    `json:"vm"`              // why VMName is what it is
	Container string    `json:"container"`       // why Container is what it is
	IDs       []IDCheck `json:"ids"`             // each id source in the order tried; the install id last when consulted
	Files     []string  `json:"files,omitempty"` // Linux: every file looked at, in order (anchors' files apart)
	// Anchors are the hardware anchors read, hashed (see [Anchor]); Matched is set by
	// [ExplainActivated]. AnchorsWhy says what they decided.
	Anchors    []AnchorCheck `json:"anchors"`
	AnchorsWhy string        `json:"anchorsWhy"`
}

// CollectFrom applies Collect's Linux rules to s; the Machine's OS is "linux". It writes
// nothing and starts nothing. Where
// Collect would create an install id and s has none, it returns an error wrapping
// ErrNoMachineID. It reads only the files that its decisions need, in this order:
//
//   - OSVersion: the pretty name (PRETTY_NAME, as the vendor's client sends; else VERSION_ID) of
//     etc/os-release, then usr/lib/os-release, then the kernel release; at most 256 characters.
//   - VMName: WSL first (its variables, the kernel release, the interop entry); then the CPU's
//     hypervisor flag and the DMI strings (only sys_vendor and product_name when an x86 CPU
//     reports no hypervisor); cloud strings count only with proof of a hypervisor; then
//     /sys/hypervisor/type (Xen, but not its dom0); then the flag alone (not on a Hyper-V root
//     partition).
//   - Container: /proc/vz and /proc/bc, /proc/self/status (and the tracer's comm), /.dockerenv,
//     /run/.containerenv, /run/host/container-manager, /run/systemd/container, /proc/1/environ,
//     the shapes of runtimes' cgroups in /proc/self/cgroup, the cgroup namespace
//     (/sys/fs/cgroup), a root overlay of runtimes' layers (/proc/self/mountinfo); then
//     $container and $KUBERNETES_SERVICE_HOST, which set Container but not the id rules.
//   - Fingerprint: the sources of [Collect] in order, stopping at the first usable one; whether
//     a machine-id file is on a tmpfs or ramfs, or, in a container, mounted in from the host,
//     comes from /proc/self/mountinfo, read as the kernel walks the path (a mount hidden by a
//     later one over a parent directory does not count), about the file a symbolic link leads
//     to when the machine-id file is one; in a user namespace (/proc/self/uid_map), a mount
//     holding the file refuses it.
//   - The hardware anchors, read apart from the rules' record (their values are never kept):
//     see the package doc, "Identity".
//
// On the live machine [Collect] and [CollectFingerprint] ask the kernel those two mount
// questions (statfs of "/" and of each machine-id file, statx for a mount at it) and read
// mountinfo only when the answers do not settle a rule: an overlay root, a machine-id on a
// tmpfs or ramfs (the evidence names the mount), one mounted into a container, a file that is
// missing or whose directories are reached through a symbolic link, or a kernel older than 5.6
// (WSL's check for WSL 1's root file system reads it too). The answers are the same.
// [ExplainFrom], [Explain] and captures always read mountinfo.
func CollectFrom(ctx context.Context, appID string, s Snapshot) (Machine, error) {
	m, _, err := collectFrom(ctx, appID, s, false)
	return m, err
}

// ExplainFrom is [CollectFrom] that also returns the evidence. It judges every id source, so
// it reads a few more files than CollectFrom; the Machine is the same.
func ExplainFrom(ctx context.Context, appID string, s Snapshot) (Machine, Evidence, error) {
	return collectFrom(ctx, appID, s, true)
}

func collectFrom(ctx context.Context, appID string, s Snapshot, all bool) (Machine, Evidence, error) {
	p, content, err := s.probe(ctx, appID, all)
	if err != nil {
		return Machine{}, Evidence{}, err
	}
	m, ev, needInstall := runLinux(p, content, all)
	m.OS = OSLinux
	if s.Hostname == "" {
		return Machine{}, Evidence{}, errors.New("fingerprint: the snapshot has no host name")
	}
	m.Hostname = s.Hostname
	idc := p.idc[m.Source]
	if needInstall {
		check, c, err := s.installCheck(ctx, appID)
		ev.IDs = append(ev.IDs, check)
		if err != nil {
			return Machine{}, ev, err
		}
		m.Fingerprint, m.Source, idc = check.Fingerprint, SourceInstallID, c
	}
	s.anchor(p, &m, &ev, idc)
	switch {
	case s.captured != nil:
		m.UserHash = s.captured.UserHash
	case s.UserName != "":
		m.UserHash = UserHash(appID, "linux", s.UserName)
	default:
		return Machine{}, ev, errors.New("fingerprint: the snapshot has no user name")
	}
	return m, ev, nil
}

// fingerprintFrom is collectFrom reduced to the rules the fingerprint needs: the container
// check (the id rules depend on it) and the id rules, then the install id. The Machine has OS
// "linux", Fingerprint, Source and Container; Fingerprint and Source are collectFrom's.
func fingerprintFrom(ctx context.Context, appID string, s Snapshot) (Machine, error) {
	p, content, err := s.probe(ctx, appID, false)
	if err != nil {
		return Machine{}, err
	}
	m := Machine{OS: OSLinux}
	var byFiles bool
	m.Container, _, byFiles = p.containerEvidence()
	chosen, checks := p.pickID(byFiles, content, false)
	if chosen >= 0 {
		m.Fingerprint, m.Source = checks[chosen].Fingerprint, checks[chosen].Source
		s.anchor(p, &m, nil, p.idc[m.Source])
		return m, nil
	}
	check, c, err := s.installCheck(ctx, appID)
	if err != nil {
		return Machine{}, err
	}
	m.Fingerprint, m.Source = check.Fingerprint, SourceInstallID
	s.anchor(p, &m, nil, c)
	return m, nil
}

// anchor binds m, whose id's verdict is c, to the hardware anchors of s (see [Reconcile] and
// the package doc, "Identity"), and says so in ev when it is not nil. A replayed capture brings
// its recorded anchors and anchored fingerprint instead of reading any.
func (s Snapshot) anchor(p *probe, m *Machine, ev *Evidence, c idContent) {
	var checks []AnchorCheck
	if s.captured != nil {
		checks = s.captured.Anchors
		m.Fingerprint = c.fingerprint
		if c.anchored != "" {
			m.Fingerprint = c.anchored
		}
	} else {
		var raw []rawAnchor
		if s.live == nil || !s.live.noAnchors {
			raw = p.readAnchors()
		}
		checks = hashAnchors(c.key, raw)
		m.bindAnchors(c.fingerprint, c.key, checks)
	}
	if ev != nil {
		describeAnchors(ev, *m, c.fingerprint, checks)
	}
}

// describeAnchors says in ev which anchors m, whose id's fingerprint is base, is bound to.
func describeAnchors(ev *Evidence, m Machine, base string, checks []AnchorCheck) {
	ev.Anchors = checks
	if len(checks) == 0 {
		ev.AnchorsWhy = "no hardware anchor readable (no physical NIC with a permanent address, no disk serial, no readable SMBIOS UUID): the fingerprint is the id's alone"
		return
	}
	ev.AnchorsWhy = "hardware anchors read: the fingerprint is bound to the id and to them"
	for i := range ev.IDs {
		if ev.IDs[i].Source == m.Source && m.Fingerprint != base {
			ev.IDs[i].Anchored = m.Fingerprint
		}
	}
}

// probe checks the arguments and returns a probe of s and the reader of its id sources. With
// all (Evidence and captures) mountinfo answers every mount question; otherwise, on the live
// machine, the kernel is asked first (see mounts.go).
func (s Snapshot) probe(ctx context.Context, appID string, all bool) (*probe, func(idSource) idContent, error) {
	if err := checkArgs(ctx, appID); err != nil {
		return nil, nil, err
	}
	if s.FS == nil {
		return nil, nil, errors.New("fingerprint: the snapshot has no file system")
	}
	if c := s.captured; c != nil && c.AppID != appID {
		return nil, nil, fmt.Errorf("fingerprint: the capture holds fingerprints for app id %q, not %q", c.AppID, appID)
	}
	env := func(k string) (string, bool) { v, ok := s.Env[k]; return v, ok }
	if s.live != nil {
		env = s.live.lookupEnv
	}
	p := newProbe(s.FS, env)
	if s.live != nil {
		if !all {
			p.stat = s.live.stat
		}
		if s.live.probeHook != nil {
			s.live.probeHook(p)
		}
	}
	content := fileIDContent(p, appID)
	if s.captured != nil {
		content = s.captured.idContent
	}
	return p, content, nil
}

// installCheck is the verdict on the install id, consulted when no machine id is usable: the
// live machine's (read or created), or the snapshot's, with its content for the anchors. err
// wraps ErrNoMachineID when it is not usable.
func (s Snapshot) installCheck(ctx context.Context, appID string) (IDCheck, idContent, error) {
	check := IDCheck{Source: SourceInstallID, Why: "no install id in the snapshot"}
	var c idContent
	switch {
	case s.live != nil:
		id, err := s.live.installID(ctx)
		if err != nil {
			check.Why = "could not be read or created"
			return check, c, fmt.Errorf("%w: %w", ErrNoMachineID, err)
		}
		c = idContent{fingerprint: protect(appID, id), key: anchorKey(appID, id)}
		check = IDCheck{Source: SourceInstallID, Usable: true, Why: "used: no machine id above was usable", Fingerprint: c.fingerprint}
	case s.captured != nil && s.captured.installID().Fingerprint != "":
		check = s.captured.installID()
		c = idContent{fingerprint: check.Fingerprint, anchored: check.Anchored}
	case s.InstallID != "" && normalizeID(s.InstallID) != "":
		id := normalizeID(s.InstallID)
		c = idContent{fingerprint: protect(appID, id), key: anchorKey(appID, id)}
		check = IDCheck{Source: SourceInstallID, Usable: true, Why: "used", Fingerprint: c.fingerprint}
	case s.InstallID != "":
		check.Why = "the snapshot's install id is " + whyUnusable(s.InstallID)
	}
	if !check.Usable {
		return check, c, fmt.Errorf("%w, and %s", ErrNoMachineID, check.Why)
	}
	return check, c, nil
}

func checkArgs(ctx context.Context, appID string) error {
	if appID == "" {
		return errors.New("fingerprint: appID is required")
	}
	return ctx.Err()
}

// fileIDContent reads id sources from the probe's file system.
func fileIDContent(p *probe, appID string) func(idSource) idContent {
	return func(src idSource) idContent {
		raw, err := p.readLimit(src.path, 4096)
		return checkIDContent(appID, raw, err)
	}
}

// runLinux applies the Linux rules. It leaves OS, Hostname and UserHash to the caller, and says
// whether an install id is needed.
func runLinux(p *probe, content func(idSource) idContent, all bool) (Machine, Evidence, bool) {
	var m Machine
	var ev Evidence
	m.OSVersion = p.osVersion()
	m.VMName, ev.VM = p.vm()
	var byFiles bool
	m.Container, ev.Container, byFiles = p.containerEvidence()
	chosen, checks := p.pickID(byFiles, content, all)
	ev.IDs = checks
	ev.Files = append([]string(nil), p.order...)
	if chosen < 0 {
		return m, ev, true
	}
	m.Fingerprint, m.Source = checks[chosen].Fingerprint, checks[chosen].Source
	return m, ev, false
}
