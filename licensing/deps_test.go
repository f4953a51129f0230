package licensing

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStartUpDependencies: a program that imports licensing does not link Masterminds/semver
// (whose package init compiles regular expressions; it lives behind releaseversion), and no
// package of this module in licensing's dependencies compiles a regular expression at all.
func TestStartUpDependencies(t *testing.T) {
	t.Parallel()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command:", err)
	}
	out, err := exec.Command(gobin, "list", "-deps", "-f", "{{.ImportPath}} {{join .Imports \",\"}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, " ")
		if strings.Contains(pkg, "Masterminds/semver") {
			t.Errorf("licensing links %s", pkg)
		}
		if strings.HasPrefix(pkg, "github.com/tollgate-dev/tollgate") && strings.Contains(","+imports+",", ",regexp,") {
			t.Errorf("%s imports regexp", pkg)
		}
	}
}
