package witness

import (
	"os"
	"path/filepath"
)

// DefaultPaths are files and folders that macOS (and the user's session) keeps writing,
// whose modification times a user without admin rights cannot set back:
//
//   - the unified log's stores (new files appear in them all day) and system.log;
//   - utmpx (every boot and login) and the system's temporary folder;
//   - the user's Preferences folder and recent-items lists.
//
// On iOS the paths are unreadable and witness nothing.
func DefaultPaths() []string {
	p := []string{
		"/private/var/db/diagnostics/Persist", "/private/var/db/diagnostics/Special", "/private/var/db/uuidtext",
		"/private/var/log/system.log", "/private/var/run/utmpx", "/private/var/tmp",
	}
	if home := os.Getenv("HOME"); home != "" {
		p = append(p, filepath.Join(home, "Library", "Preferences"),
			filepath.Join(home, "Library", "Application Support", "com.apple.sharedfilelist"))
	}
	return p
}

func witnessExpanders() []func() []string { return nil }
