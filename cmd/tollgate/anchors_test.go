package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestMachineAnchors: `machine` lists this machine's hardware anchors hashed, never raw, and
// with --activated says which of the activation's it still has, and what is gone.
func TestMachineAnchors(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the anchors' evidence is Linux's")
	}
	code, stdout, stderr := runTool(t, "", "machine", "--app-id", "app-1", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var out machineOutput
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, a := range out.Evidence.Anchors {
		kept = append(kept, a.String())
	}
	gone := "nic:00000000000000000000000000000001"
	code, stdout, stderr = runTool(t, "", "machine", "--app-id", "app-1", "--activated", strings.Join(append(kept, gone), ","))
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "anchors kept at activation are read now") || !strings.Contains(stdout, "00000000000000000000000000000001  kept at activation, not read now") {
		t.Fatalf("no verdict on the activation's anchors:\n%s", stdout)
	}
	if got := strings.Count(stdout, " matched\n"); got != len(kept) {
		t.Fatalf("%d anchors matched, want %d:\n%s", got, len(kept), stdout)
	}
	// No raw MAC address reaches the output.
	addrs, _ := filepath.Glob("/sys/class/net/*/address")
	for _, f := range addrs {
		if b, err := os.ReadFile(f); err == nil {
			if mac := strings.TrimSpace(string(b)); mac != "" && mac != "00:00:00:00:00:00" && strings.Contains(stdout, mac) {
				t.Errorf("the raw address %s is printed", mac)
			}
		}
	}
}
