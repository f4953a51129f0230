//go:build windows

package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/windows"
)

// TestFileStoreWindowsProtection: by default the store lives in %AppData%, which belongs to
// this user; a store directory that Everyone may write is refused with ErrInsecureStore.
func TestFileStoreWindowsProtection(t *testing.T) {
	cfg, err := os.UserConfigDir()
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewFile("").(*fileStore).path("tok")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(cfg, "tollgate") + `\`; !strings.HasPrefix(p, want) {
		t.Errorf("default store file %s, want it in %s", p, want)
	}
	user, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		t.Fatal(err)
	}
	sd, err := windows.GetNamedSecurityInfo(cfg, windows.SE_FILE_OBJECT, windows.OWNER_SECURITY_INFORMATION)
	if err != nil {
		t.Fatal(err)
	}
	owner, _, err := sd.Owner()
	if err != nil {
		t.Fatal(err)
	}
	if !owner.Equals(user.User.Sid) && !(windows.GetCurrentProcessToken().IsElevated() && owner.IsWellKnown(windows.WinBuiltinAdministratorsSid)) {
		t.Errorf("%%AppData%% (%s) is owned by %s, not by this user (%s)", cfg, owner, user.User.Sid)
	}

	dir := filepath.Join(t.TempDir(), "open")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	everyone, err := windows.CreateWellKnownSid(windows.WinWorldSid)
	if err != nil {
		t.Fatal(err)
	}
	acl, err := windows.ACLFromEntries([]windows.EXPLICIT_ACCESS{{
		AccessPermissions: windows.GENERIC_ALL, AccessMode: windows.GRANT_ACCESS, Inheritance: windows.NO_INHERITANCE,
		Trustee: windows.TRUSTEE{TrusteeForm: windows.TRUSTEE_IS_SID, TrusteeType: windows.TRUSTEE_IS_WELL_KNOWN_GROUP,
			TrusteeValue: windows.TrusteeValueFromSID(everyone)},
	}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := windows.SetNamedSecurityInfo(dir, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION, nil, nil, acl, nil); err != nil {
		t.Fatal(err)
	}
	if err := NewFile(dir).Save(context.Background(), "tok", "v"); !errors.Is(err, ErrInsecureStore) {
		t.Fatalf("Save in a directory Everyone may write: %v, want ErrInsecureStore", err)
	}
	if _, err := NewFile(dir).Load(context.Background(), "tok"); !errors.Is(err, ErrInsecureStore) {
		t.Fatalf("Load in a directory Everyone may write: %v, want ErrInsecureStore", err)
	}
}
