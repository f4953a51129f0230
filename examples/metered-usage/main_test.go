package main

import (
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/examples/internal/demo"
)

// TestMeteredUsageRuns: 1 + 2 + 5 uses, one answer lost after the server counted it, end at
// exactly 8: none lost, none counted twice.
func TestMeteredUsageRuns(t *testing.T) {
	t.Setenv("TOLLGATE_API_URL", "")
	var code int
	out, err := demo.CaptureStdout(func() { code = run() })
	if err != nil {
		t.Fatal(err)
	}
	if code != 0 {
		t.Fatalf("exit code %d:\n%s", code, out)
	}
	if !strings.Contains(out, "nothing to resend") || !strings.HasSuffix(out, "recorded 5 exports; this machine has used 8\n") {
		t.Fatalf("output:\n%s", out)
	}
}
