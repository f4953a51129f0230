package fingerprint

import (
	"context"
	"encoding/hex"
	"strings"
	"testing"
)

// smbiosTable builds a structure table: a BIOS structure (type 0) with two strings, a System
// structure (type 1) with uuid, and the end marker.
func smbiosTable(uuid []byte) []byte {
	t := []byte{0, 0x18, 0, 0}
	t = append(t, make([]byte, 0x18-4)...)
	t = append(t, "Vendor\x00Version 1.0\x00\x00"...)
	sys := []byte{1, 0x1b, 1, 0, 1, 2, 3, 4}
	sys = append(sys, uuid...)
	sys = append(sys, 6, 5, 6)
	t = append(t, sys...)
	t = append(t, "Maker\x00\x00"...)
	return append(t, 127, 4, 0xff, 0xfe, 0, 0)
}

// TestSMBIOSUUID: the System structure's UUID is found past another structure's strings; an
// unset UUID, a missing structure and truncated tables give "".
func TestSMBIOSUUID(t *testing.T) {
	t.Parallel()
	uuid, _ := hex.DecodeString("4c4c4544004d5a10804cb4c04f4e3332")
	if got := smbiosUUID(smbiosTable(uuid)); got != "4c4c4544004d5a10804cb4c04f4e3332" {
		t.Fatalf("uuid %q", got)
	}
	for name, table := range map[string][]byte{
		"zeros":     smbiosTable(make([]byte, 16)),
		"ones":      smbiosTable([]byte(strings.Repeat("\xff", 16))),
		"truncated": smbiosTable(uuid)[:40],
		"no system": {0, 4, 0, 0, 0, 0, 127, 4, 0, 0, 0, 0},
		"empty":     nil,
		"bad len":   {1, 2, 0, 0},
	} {
		if got := smbiosUUID(table); got != "" {
			t.Errorf("%s: %q", name, got)
		}
	}
}

// TestNativeAnchors: on Windows and macOS the anchors the reader returns bind the fingerprint
// as on Linux: two machines of one MachineGuid (a clone made without sysprep) with their own
// adapters differ, and with none readable the fingerprint is the id's alone.
func TestNativeAnchors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	collectWith := func(anchors map[string][]byte) (Machine, Evidence) {
		c := &collector{goos: "windows",
			native: func(context.Context) (nativeInfo, error) {
				return nativeInfo{ids: []idCandidate{{SourceMachineGUID, "{6F9619FF-8B86-D011-B42D-00C04FC964FF}"}}}, nil
			},
			nativeIDs: func(context.Context) ([]idCandidate, error) {
				return []idCandidate{{SourceMachineGUID, "{6F9619FF-8B86-D011-B42D-00C04FC964FF}"}}, nil
			},
			anchors:  func() []rawAnchor { return macAnchors(anchors, false) },
			hostname: func() (string, error) { return "pc", nil },
			userName: func() (string, error) { return "alice", nil },
		}
		m, ev, err := c.collect(ctx, "app-1", true)
		if err != nil {
			t.Fatal(err)
		}
		fp, err := c.collectFingerprint(ctx, "app-1")
		if err != nil || fp.Fingerprint != m.Fingerprint {
			t.Fatalf("CollectFingerprint %s (%v), Collect %s", fp.Fingerprint, err, m.Fingerprint)
		}
		return m, ev
	}
	a, eva := collectWith(map[string][]byte{"adapter a": {0x00, 0x1b, 0x21, 0x11, 0x22, 0x33}})
	b, _ := collectWith(map[string][]byte{"adapter b": {0x00, 0x1b, 0x21, 0x44, 0x55, 0x66}})
	none, evn := collectWith(nil)
	if a.Fingerprint == b.Fingerprint || len(eva.Anchors) != 1 || eva.IDs[0].Anchored != a.Fingerprint {
		t.Fatalf("clones of one MachineGuid: %s and %s, evidence %+v", a.Fingerprint, b.Fingerprint, eva)
	}
	if none.Fingerprint != evn.IDs[0].Fingerprint || len(evn.Anchors) != 0 {
		t.Fatalf("no anchors: %s, id's %s", none.Fingerprint, evn.IDs[0].Fingerprint)
	}
	// macOS counts only universal addresses: a private (locally administered) one is no anchor.
	if got := macAnchors(map[string][]byte{"en0": {0x3a, 1, 2, 3, 4, 5}, "en1": {0x3c, 0x22, 0xfb, 1, 2, 3}, "en2": {0, 0, 0, 0, 0, 0}}, true); len(got) != 1 || got[0].value != "3c:22:fb:01:02:03" {
		t.Fatalf("macOS anchors %+v", got)
	}
}

// FuzzSMBIOSUUID: any table, as the registry or firmware hands it over, gives an answer
// without a panic: "" or 32 hex digits.
func FuzzSMBIOSUUID(f *testing.F) {
	uuid, _ := hex.DecodeString("4c4c4544004d5a10804cb4c04f4e3332")
	f.Add(smbiosTable(uuid))
	f.Add([]byte{1, 0xff, 0, 0})
	f.Fuzz(func(t *testing.T, table []byte) {
		if got := smbiosUUID(table); got != "" && (len(got) != 32 || strings.Trim(got, "0123456789abcdef") != "") {
			t.Fatalf("%q", got)
		}
	})
}
