package witness

import (
	"os"
	"path/filepath"
)

// DefaultPaths are files and folders that Windows (and the user's session) keeps
// writing, whose modification times a standard user cannot set back:
//
//   - the event logs System.evtx and Application.evtx, written all day;
//   - bootstat.dat (every boot) and the Prefetch folder (whenever a program starts);
//   - the Windows Update data store, and the system's Temp folder;
//   - the user's registry hive (NTUSER.DAT), Recent folder and Temp folder.
func DefaultPaths() []string {
	root := os.Getenv("SystemRoot")
	if root == "" {
		root = `C:\Windows`
	}
	p := []string{
		filepath.Join(root, "System32", "winevt", "Logs", "System.evtx"),
		filepath.Join(root, "System32", "winevt", "Logs", "Application.evtx"),
		filepath.Join(root, "bootstat.dat"),
		filepath.Join(root, "Prefetch"),
		filepath.Join(root, "SoftwareDistribution", "DataStore", "DataStore.edb"),
		filepath.Join(root, "Temp"),
	}
	if home := os.Getenv("USERPROFILE"); home != "" {
		p = append(p, filepath.Join(home, "NTUSER.DAT"))
	}
	if app := os.Getenv("APPDATA"); app != "" {
		p = append(p, filepath.Join(app, "Microsoft", "Windows", "Recent"))
	}
	if local := os.Getenv("LOCALAPPDATA"); local != "" {
		p = append(p, filepath.Join(local, "Temp"))
	}
	return p
}

func witnessExpanders() []func() []string { return nil }
