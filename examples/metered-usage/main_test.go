package main

import (
	"io"
	"os"
	"strings"
	"testing"
)

// TestMeteredUsageRuns: 1 + 2 + 5 uses, one answer lost after the server counted it, end at
// exactly 8: none lost, none counted twice.
func TestMeteredUsageRuns(t *testing.T) {
	t.Setenv("TOLLGATE_API_URL", "")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	done := make(chan []byte)
	go func() { b, _ := io.ReadAll(r); done <- b }()
	code := run()
	os.Stdout = stdout
	w.Close()
	out := string(<-done)
	if code != 0 {
		t.Fatalf("exit code %d:\n%s", code, out)
	}
	if !strings.Contains(out, "nothing to resend") || !strings.HasSuffix(out, "recorded 5 exports; this machine has used 8\n") {
		t.Fatalf("output:\n%s", out)
	}
}
