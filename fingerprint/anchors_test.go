package fingerprint

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"strings"
	"testing"
	"testing/fstest"
)

// visible is m without the fields a caller cannot see (the id's fingerprint, the anchor key and
// the anchors), which a replayed capture does not carry.
func visible(m Machine) Machine {
	m.bound = ""
	return m
}

// Class: machines cloned from one image share its OS id; their hardware anchors tell them
// apart. The given input is two VirtualBox VMs of one Vagrant box (one id, their own MAC and
// disk); ours are KVM clones with a NIC, a virtio disk and an NVMe disk beside what is no anchor
// (a veth, a randomised and a locally administered address, a USB stick, a loop device).
func TestClassClonesOfOneImage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, pair := range []struct {
		a, b    string
		given   bool
		anchors int
	}{
		{"bento-clone-a", "bento-clone-b", true, 2},
		{"kvm-clone-a", "kvm-clone-b", false, 3},
	} {
		ma, eva, err := ExplainFrom(ctx, "app-1", fixture(t, pair.a))
		if err != nil {
			t.Fatal(err)
		}
		mb, evb, err := ExplainFrom(ctx, "app-1", fixture(t, pair.b))
		if err != nil {
			t.Fatal(err)
		}
		if ma.Source != SourceMachineID || mb.Source != SourceMachineID || eva.IDs[0].Fingerprint != evb.IDs[0].Fingerprint {
			t.Fatalf("%s/%s: not one image's id: %s %s", pair.a, pair.b, ma.Source, mb.Source)
		}
		if ma.Fingerprint == mb.Fingerprint {
			t.Errorf("%s and %s, clones of one image, share the fingerprint %s", pair.a, pair.b, ma.Fingerprint)
		}
		for _, c := range []struct {
			m  Machine
			ev Evidence
		}{{ma, eva}, {mb, evb}} {
			if len(c.ev.Anchors) != pair.anchors || len(c.m.Anchors()) != pair.anchors {
				t.Errorf("%s: anchors %+v, want %d", pair.a, c.ev.Anchors, pair.anchors)
			}
			if c.ev.IDs[0].Anchored != c.m.Fingerprint || !strings.Contains(c.ev.AnchorsWhy, "anchors read") {
				t.Errorf("evidence does not say the fingerprint is anchored: %+v", c.ev)
			}
			if len(c.m.Fingerprint) != 64 || c.m.Fingerprint == c.ev.IDs[0].Fingerprint {
				t.Errorf("fingerprint %q: not bound to the anchors", c.m.Fingerprint)
			}
		}
		// Nothing raw reaches the evidence or a capture.
		for _, raw := range []string{"08:00:27", "52:54:00", "VB1a2b3c4d", "vol-0a1b2c3d4e", "S5GXNF0R"} {
			for _, ev := range []Evidence{eva, evb} {
				for _, a := range ev.Anchors {
					if strings.Contains(a.Hash, raw) || strings.Contains(a.From, raw) {
						t.Errorf("raw value %q in the evidence", raw)
					}
				}
			}
		}
	}
}

// TestNoAnchorKeepsTheIDsFingerprint: where no anchor is readable, the fingerprint is the id's
// alone, as before anchors, and Explain says so.
func TestNoAnchorKeepsTheIDsFingerprint(t *testing.T) {
	t.Parallel()
	m, ev, err := ExplainFrom(context.Background(), "app-1", fixture(t, "aws-nitro"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.Anchors) != 0 || m.Source != SourceMachineID || m.Fingerprint != ev.IDs[0].Fingerprint || ev.IDs[0].Anchored != "" {
		t.Fatalf("fingerprint %s, id's %s, anchors %v", m.Fingerprint, ev.IDs[0].Fingerprint, ev.Anchors)
	}
	if !strings.Contains(ev.AnchorsWhy, "no hardware anchor readable") {
		t.Fatalf("AnchorsWhy %q", ev.AnchorsWhy)
	}
}

// TestReconcile: one anchor of three changed is the same machine, with the activated
// fingerprint; two changed, or all (a clone), is another, with its own; an activation that kept
// no anchors keeps the id's fingerprint; an edited list cannot make the activated fingerprint.
func TestReconcile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	base := fixture(t, "kvm-clone-a")
	activated, ev, err := ExplainFrom(ctx, "app-1", base)
	if err != nil {
		t.Fatal(err)
	}
	kept := activated.AnchorStrings()
	if len(kept) != 3 {
		t.Fatalf("kept %v", kept)
	}
	with := func(changes map[string]string) Machine {
		t.Helper()
		files := fstest.MapFS{}
		for _, name := range []string{"etc/machine-id", "sys/class/net/eth0/device/vendor", "sys/class/net/eth0/addr_assign_type",
			"sys/class/net/eth0/address", "sys/block/sda/device/wwid", "sys/class/nvme/nvme0/serial"} {
			b, err := fsReadFile(base, name)
			if err != nil {
				t.Fatal(err)
			}
			files[name] = &fstest.MapFile{Data: b}
		}
		for name, v := range changes {
			files[name] = &fstest.MapFile{Data: []byte(v)}
		}
		m, err := CollectFrom(ctx, "app-1", Snapshot{FS: files, Hostname: "h", UserName: "u"})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	same := with(nil)
	if same.Fingerprint != activated.Fingerprint {
		t.Fatal("the same files gave another fingerprint")
	}
	for _, tc := range []struct {
		name    string
		changes map[string]string
		same    bool
	}{
		{"nothing changed", nil, true},
		{"a disk swapped", map[string]string{"sys/class/nvme/nvme0/serial": "NEW-SERIAL-0001\n"}, true},
		{"a NIC swapped", map[string]string{"sys/class/net/eth0/address": "3c:52:82:00:00:01\n"}, true},
		{"two of three changed", map[string]string{"sys/class/nvme/nvme0/serial": "NEW-SERIAL-0001\n", "sys/block/sda/device/wwid": "t10.ATA     QEMU HARDDISK     QM99999\n"}, false},
		{"all changed (a clone)", map[string]string{"sys/class/nvme/nvme0/serial": "NEW-SERIAL-0001\n", "sys/block/sda/device/wwid": "t10.ATA     QEMU HARDDISK     QM99999\n",
			"sys/class/net/eth0/address": "3c:52:82:00:00:01\n"}, false},
		{"every anchor unreadable", map[string]string{"sys/class/nvme/nvme0/serial": "\n", "sys/block/sda/device/wwid": "\n", "sys/class/net/eth0/addr_assign_type": "3\n"}, false},
	} {
		now := with(tc.changes)
		got, match := Reconcile(now, kept)
		if match.Same != tc.same {
			t.Errorf("%s: same %v (%s)", tc.name, match.Same, match.Why)
		}
		if tc.same && (got.Fingerprint != activated.Fingerprint || strings.Join(got.AnchorStrings(), ",") != strings.Join(kept, ",")) {
			t.Errorf("%s: fingerprint %s, activated %s", tc.name, got.Fingerprint, activated.Fingerprint)
		}
		if !tc.same && (got != now || got.Fingerprint == activated.Fingerprint) {
			t.Errorf("%s: a new machine took the activated fingerprint", tc.name)
		}
		if len(match.Matched) != len(kept) {
			t.Errorf("%s: %d verdicts for %d anchors", tc.name, len(match.Matched), len(kept))
		}
	}
	// An activation that kept no anchors (made before them, or with none readable).
	if got, match := Reconcile(same, nil); !match.Same || got.Fingerprint != ev.IDs[0].Fingerprint || got.Anchors() != nil {
		t.Errorf("no anchors kept: %s, want the id's %s", got.Fingerprint, ev.IDs[0].Fingerprint)
	}
	// An edited list: the clone's own anchors added to the kept ones make half match, but the
	// fingerprint derived from that list is not the activated one.
	clone := with(map[string]string{"sys/class/nvme/nvme0/serial": "NEW-SERIAL-0001\n", "sys/block/sda/device/wwid": "t10.ATA     QEMU HARDDISK     QM99999\n",
		"sys/class/net/eth0/address": "3c:52:82:00:00:01\n"})
	if got, _ := Reconcile(clone, append(append([]string(nil), kept...), clone.AnchorStrings()...)); got.Fingerprint == activated.Fingerprint {
		t.Error("an edited anchor list gave a clone the activated fingerprint")
	}
	// Garbage, and a Machine the caller built.
	if got, match := Reconcile(same, []string{"nic:zz", "x"}); match.Same || got != same {
		t.Errorf("garbage anchors: %+v", match)
	}
	custom := Machine{OS: "linux", Fingerprint: strings.Repeat("ab", 32)}
	if got, match := Reconcile(custom, kept); got != custom || !match.Same {
		t.Errorf("a custom machine changed: %+v", got)
	}
}

// TestReconcileEvidence: the support tool's view says which anchors the activation kept.
func TestReconcileEvidence(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, _, err := ExplainFrom(ctx, "app-1", fixture(t, "kvm-clone-a"))
	if err != nil {
		t.Fatal(err)
	}
	b, evb, err := ExplainFrom(ctx, "app-1", fixture(t, "kvm-clone-b"))
	if err != nil {
		t.Fatal(err)
	}
	// Clone b, checked against a's activation: nothing matches.
	got, ev, match := ReconcileEvidence(b, evb, a.AnchorStrings())
	if match.Same || got.Fingerprint != b.Fingerprint || !strings.Contains(ev.AnchorsWhy, "0 of the 3") {
		t.Fatalf("clone: %+v, %q", match, ev.AnchorsWhy)
	}
	if len(ev.Anchors) != 6 || !strings.Contains(ev.Anchors[5].From, "not read now") {
		t.Fatalf("want b's 3 anchors and a's 3 gone ones: %+v", ev.Anchors)
	}
	for _, c := range ev.Anchors {
		if c.Matched == nil || *c.Matched {
			t.Errorf("anchor %v marked %v", c.Anchor, c.Matched)
		}
	}
	if evb.Anchors[0].Matched != nil {
		t.Error("ReconcileEvidence changed the evidence it was given")
	}
	_, ev, _ = ReconcileEvidence(b, evb, b.AnchorStrings())
	for _, c := range ev.Anchors {
		if c.Matched == nil || !*c.Matched {
			t.Errorf("own anchor %v not matched", c.Anchor)
		}
	}
}

// Class: the environment may add evidence, never choose the identity. The given input is a
// desktop process with $container and $KUBERNETES_SERVICE_HOST set; ours are every fixture whose
// OS id is usable, under each variable the rules read, alone and together.
func TestNoVariableAloneChangesTheFingerprint(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m, ev, err := ExplainFrom(ctx, "app-1", fixture(t, "desktop-container-env"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Source != SourceMachineID || !m.Container || !strings.Contains(ev.Container, "does not choose the id source") {
		t.Fatalf("given input: source %s, container %v (%s)", m.Source, m.Container, ev.Container)
	}
	vars := []map[string]string{
		{"container": "docker"}, {"container": "podman"}, {"container": "oci"}, {"container": "lxc"},
		{"KUBERNETES_SERVICE_HOST": "10.96.0.1"}, {"WSL_DISTRO_NAME": "Ubuntu"}, {"WSL_INTEROP": "/run/WSL/1_interop"},
		{"container": "docker", "KUBERNETES_SERVICE_HOST": "10.96.0.1", "WSL_DISTRO_NAME": "Ubuntu"},
	}
	checked := 0
	for _, tree := range fixtureTrees(t) {
		s := fixture(t, tree)
		s.Env = map[string]string{}
		want, err := CollectFrom(ctx, "app-1", s)
		if err != nil || want.Source == SourceInstallID {
			continue // no usable OS id: not this class
		}
		checked++
		for _, env := range vars {
			s.Env = maps.Clone(env)
			got, err := CollectFrom(ctx, "app-1", s)
			if err != nil || got.Fingerprint != want.Fingerprint || got.Source != want.Source {
				t.Errorf("%s with %v: %s from %s (%v), without: %s from %s", tree, env, got.Fingerprint, got.Source, err, want.Fingerprint, want.Source)
			}
		}
	}
	if checked < 30 {
		t.Fatalf("only %d trees with a usable OS id", checked)
	}
}

// Class: a user namespace's view of /etc is not the host's. The given input is `unshare -Urm`
// and a bind mount over /etc/machine-id; ours are a mount over /etc, a FUSE file system's file at
// the same path, a user namespace with no mount over /etc, and Flatpak's sandbox, which binds the
// host's own /etc/machine-id at the same path (what a user cannot forge).
func TestClassUserNamespaceMounts(t *testing.T) {
	t.Parallel()
	runClass(t, []classCase{
		{tree: "userns-bind-machine-id", given: true, source: SourceInstallID, evidence: "inside a user namespace"},
		{tree: "userns-bind-etc", source: SourceInstallID, evidence: "mount at /etc (of \"/home/alice/fakeetc\", ext4) inside a user namespace"},
		{tree: "userns-no-mount", source: SourceMachineID, evidence: "machine-id: used"},
		{tree: "userns-flatpak-bind", source: SourceMachineID, evidence: "machine-id: used"},
		{tree: "userns-fuse-machine-id", source: SourceInstallID, evidence: "fuse.fakefs) inside a user namespace"},
	})
}

func fsReadFile(s Snapshot, name string) ([]byte, error) {
	c, err := readFile(s.FS, name, 4096)
	return []byte(c), err
}

// TestMachinePrintsNoAnchorKey: fmt and slog print a Machine's exported fields, never the
// anchor key derived from its id.
func TestMachinePrintsNoAnchorKey(t *testing.T) {
	t.Parallel()
	m, err := CollectFrom(context.Background(), "app-1", fixture(t, "kvm-clone-a"))
	if err != nil || m.anchorKey() == "" {
		t.Fatalf("%v, key %q", err, m.anchorKey())
	}
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("m", "machine", m)
	for _, out := range []string{fmt.Sprint(m), fmt.Sprintf("%+v", m), fmt.Sprintf("%#v", m), fmt.Sprintf("%v", &m), logged.String()} {
		if strings.Contains(out, m.anchorKey()) || strings.Contains(out, m.base()) || !strings.Contains(out, m.Fingerprint) {
			t.Errorf("printed %s", out)
		}
	}
}
