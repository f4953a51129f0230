package fingerprint

import (
	"context"
	"io/fs"
	"testing"
	"time"
)

var testTime = time.Unix(1700000000, 0)

// TestAPIContract compiles the names shared/API.md fixes for this package.
func TestAPIContract(t *testing.T) {
	var (
		_ func(context.Context, string) (Machine, error)           = Collect
		_ func(context.Context, string, Snapshot) (Machine, error) = CollectFrom
		_ error                                                    = ErrNoMachineID
		_                                                          = Snapshot{FS: fs.FS(nil), Env: map[string]string{}, Hostname: "", UserName: "", InstallID: ""}
	)
}
