package fingerprint

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
)

// FuzzReplayCapture: a capture comes from a customer's machine, so from anywhere. Whatever it
// holds, a replay returns an answer or an error, never a panic.
func FuzzReplayCapture(f *testing.F) {
	c := fixtureCollector(f, "tmpfs-machine-id")
	if capt, err := c.capture(context.Background(), "app", testTime); err == nil {
		b, _ := json.Marshal(capt)
		f.Add(b)
	}
	f.Add([]byte(`{"format":"tollgate-machine-capture/1","appId":"app","hostname":"h","files":{"proc/self/mountinfo":"1 0 0:1 / / rw - overlay o lowerdir=/a/overlay2/l/x"},"ids":[{"source":"install-id","why":"x"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var capt Capture
		if json.Unmarshal(b, &capt) != nil || capt.Check() != nil {
			return
		}
		m, err := CollectFrom(context.Background(), capt.AppID, capt.Snapshot())
		if err == nil && (m.OS != OSLinux || m.Hostname == "" || m.Fingerprint == "") {
			t.Fatalf("an answer without its fields: %+v", m)
		}
	})
}

// FuzzLinuxRules feeds arbitrary contents to the files the rules parse.
func FuzzLinuxRules(f *testing.F) {
	seed := func(tree string) {
		read := func(name string) string {
			b, _ := os.ReadFile(filepath.Join("testdata", tree, name))
			return string(b)
		}
		f.Add(read("proc/self/mountinfo"), read("proc/self/cgroup"), read("proc/cpuinfo"), read("sys/class/dmi/id/sys_vendor"),
			read("proc/sys/kernel/osrelease"), read("etc/machine-id"))
	}
	for _, tree := range []string{"docker-cgroup-v2", "live-boot", "tmpfs-machine-id", "wsl1", "crio-pod", "aws-graviton-vm"} {
		seed(tree)
	}
	f.Fuzz(func(t *testing.T, mountinfo, cgroup, cpuinfo, vendor, kernel, machineID string) {
		fsys := fstest.MapFS{
			"proc/self/mountinfo":              {Data: []byte(mountinfo)},
			"proc/self/cgroup":                 {Data: []byte(cgroup)},
			"proc/cpuinfo":                     {Data: []byte(cpuinfo)},
			"sys/class/dmi/id/sys_vendor":      {Data: []byte(vendor)},
			"sys/class/dmi/id/product_name":    {Data: []byte(vendor)},
			"sys/firmware/dmi/entries/0-0/raw": {Data: []byte(machineID)},
			"proc/sys/kernel/osrelease":        {Data: []byte(kernel)},
			"etc/machine-id":                   {Data: []byte(machineID)},
			"var/lib/dbus/machine-id":          {Data: []byte(machineID)},
		}
		s := Snapshot{FS: fsys, Hostname: "h", UserName: "u", InstallID: "0123456789abcdef0123456789abcdef"}
		m, err := CollectFrom(context.Background(), "app", s)
		if err != nil {
			t.Fatal(err)
		}
		m2, _, err := ExplainFrom(context.Background(), "app", s)
		if err != nil || m2 != m {
			t.Fatalf("ExplainFrom %+v, %v; CollectFrom %+v", m2, err, m)
		}
	})
}
