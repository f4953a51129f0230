//go:build windows

package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"golang.org/x/sys/windows"
)

// TestUserConfigDirIsPrivate: %AppData%, under which the file store and the install id live by
// default, belongs to this user and lets no broad group write it; a directory made in it
// inherits that.
func TestUserConfigDirIsPrivate(t *testing.T) {
	cfg, err := os.UserConfigDir()
	if err != nil {
		t.Fatal(err)
	}
	user, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{cfg, t.TempDir()} {
		if err := checkPrivate(dir); err != nil {
			t.Errorf("%s: %v", dir, err)
		}
		if owner := ownerOf(t, dir); !ownedByUser(owner, user.User.Sid) {
			t.Errorf("%s is owned by %s, not by this user (%s)", dir, owner, user.User.Sid)
		}
	}
	made := filepath.Join(t.TempDir(), "tollgate")
	if err := MkdirPrivate(made); err != nil {
		t.Fatal(err)
	}
	if owner := ownerOf(t, made); !ownedByUser(owner, user.User.Sid) {
		t.Errorf("a directory MkdirPrivate made is owned by %s, not by this user (%s)", owner, user.User.Sid)
	}
}

// TestMkdirPrivateRefusesOpenACL: a directory whose ACL lets Everyone, Users or Authenticated
// Users write it is refused; one that lets Everyone only read is accepted.
func TestMkdirPrivateRefusesOpenACL(t *testing.T) {
	for _, c := range []struct {
		name   string
		group  windows.WELL_KNOWN_SID_TYPE
		rights windows.ACCESS_MASK
		refuse bool
	}{
		{"everyone-all", windows.WinWorldSid, windows.GENERIC_ALL, true},
		{"users-add-file", windows.WinBuiltinUsersSid, windows.FILE_WRITE_DATA, true},
		{"authenticated-write", windows.WinAuthenticatedUserSid, windows.GENERIC_WRITE, true},
		{"everyone-read", windows.WinWorldSid, windows.GENERIC_READ | windows.GENERIC_EXECUTE, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "store")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			sid, err := windows.CreateWellKnownSid(c.group)
			if err != nil {
				t.Fatal(err)
			}
			acl, err := windows.ACLFromEntries([]windows.EXPLICIT_ACCESS{{
				AccessPermissions: c.rights,
				AccessMode:        windows.GRANT_ACCESS,
				Inheritance:       windows.NO_INHERITANCE,
				Trustee: windows.TRUSTEE{TrusteeForm: windows.TRUSTEE_IS_SID, TrusteeType: windows.TRUSTEE_IS_WELL_KNOWN_GROUP,
					TrusteeValue: windows.TrusteeValueFromSID(sid)},
			}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := windows.SetNamedSecurityInfo(dir, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION, nil, nil, acl, nil); err != nil {
				t.Fatal(err)
			}
			if !hasACE(t, dir, sid) {
				// Wine keeps no ACL of its own: it derives Everyone's entry from the Unix
				// mode and drops entries for other groups. Real Windows keeps them.
				t.Skipf("this OS did not keep an entry for %s (Wine keeps only what a Unix mode can say)", sid)
			}
			err = MkdirPrivate(dir)
			if c.refuse && !errors.Is(err, ErrInsecureDir) {
				t.Errorf("%s may %#x: %v, want ErrInsecureDir", sid, c.rights, err)
			}
			if !c.refuse && err != nil {
				t.Errorf("%s may only read: %v", sid, err)
			}
		})
	}
}

func hasACE(t *testing.T, path string, sid *windows.SID) bool {
	t.Helper()
	sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		t.Fatal(err)
	}
	dacl, _, err := sd.DACL()
	if err != nil {
		t.Fatal(err)
	}
	for i := uint32(0); i < uint32(dacl.AceCount); i++ {
		var ace *windows.ACCESS_ALLOWED_ACE
		if err := windows.GetAce(dacl, i, &ace); err != nil {
			t.Fatal(err)
		}
		if (*windows.SID)(unsafe.Pointer(&ace.SidStart)).Equals(sid) {
			return true
		}
	}
	return false
}

// ownedByUser: the owner is the user, or Administrators when the test runs elevated (an
// elevated token's default owner is that group).
func ownedByUser(owner, user *windows.SID) bool {
	return owner.Equals(user) ||
		windows.GetCurrentProcessToken().IsElevated() && owner.IsWellKnown(windows.WinBuiltinAdministratorsSid)
}

func ownerOf(t *testing.T, path string) *windows.SID {
	t.Helper()
	sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT, windows.OWNER_SECURITY_INFORMATION)
	if err != nil {
		t.Fatal(err)
	}
	owner, _, err := sd.Owner()
	if err != nil {
		t.Fatal(err)
	}
	return owner
}
