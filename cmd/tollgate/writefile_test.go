package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// plant makes link a symbolic link to target, or skips where links need privileges or where
// os.Symlink reports success without making one (Wine 8).
func plant(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("cannot make a symbolic link here: %v", err)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&fs.ModeSymlink == 0 {
		t.Skipf("os.Symlink made no link here (%v)", err)
	}
}

// TestCaptureRefusesPlantedLink is the reported attack: a link planted where the capture goes
// points at the victim's ~/.profile; the tool must not write through it.
func TestCaptureRefusesPlantedLink(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("captures are of Linux machines")
	}
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	dir := t.TempDir()
	victim := filepath.Join(dir, ".profile")
	if err := os.WriteFile(victim, []byte("export PATH=/usr/bin\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "capture.json")
	plant(t, victim, link)
	code, stdout, stderr := runTool(t, "", "machine", "--capture", link, "--app-id", "app-1")
	if code == exitOK {
		t.Errorf("wrote through a planted link: %s", stdout)
	}
	if b, _ := os.ReadFile(victim); string(b) != "export PATH=/usr/bin\n" {
		t.Fatalf("the link's target was overwritten: %q", b)
	}
	if !strings.Contains(stderr, "exists") {
		t.Errorf("stderr does not say why: %s", stderr)
	}
}

// TestWriteNew: new files only, mode 0600; an existing file, a link to one, a dangling link
// (which would create its target) and a link to a folder are all refused and left as they were.
func TestWriteNew(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fresh := filepath.Join(dir, "new.json")
	if err := writeNew(fresh, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(fresh); string(b) != "x" {
		t.Fatalf("content %q", b)
	}
	if st, err := os.Stat(fresh); err != nil || runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v", st.Mode().Perm(), err)
	}
	// An existing regular file (the first capture, or the victim named directly).
	if err := writeNew(fresh, []byte("y")); err == nil {
		t.Error("overwrote an existing file")
	}
	if b, _ := os.ReadFile(fresh); string(b) != "x" {
		t.Errorf("existing file changed: %q", b)
	}
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"link to a file":   victim,
		"dangling link":    filepath.Join(dir, "created-through-link"),
		"link to a folder": dir,
		"relative link":    "victim",
	}
	for name, target := range cases {
		link := filepath.Join(dir, strings.ReplaceAll(name, " ", "-"))
		plant(t, target, link)
		if err := writeNew(link, []byte("evil")); err == nil {
			t.Errorf("%s: written", name)
		}
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep" {
		t.Errorf("victim changed: %q", b)
	}
	if _, err := os.Lstat(filepath.Join(dir, "created-through-link")); err == nil {
		t.Error("a dangling link's target was created")
	}
}
