package main

import "testing"

func TestDemo(t *testing.T) {
	if code := run("", true); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

func TestNoSecret(t *testing.T) {
	t.Setenv("TOLLGATE_WEBHOOK_SECRET", "")
	if code := run("127.0.0.1:0", false); code != 2 {
		t.Fatalf("exit code %d, want 2", code)
	}
}
