package main

import "testing"

func TestMeteredUsageRuns(t *testing.T) {
	t.Setenv("TOLLGATE_API_URL", "")
	if code := run(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}
