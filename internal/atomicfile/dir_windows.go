//go:build windows

package atomicfile

import (
	"fmt"
	"io/fs"
	"unsafe"

	"golang.org/x/sys/windows"
)

// writeRights are the rights on a directory that let someone add, replace or remove the files
// in it, or change who may. On a directory FILE_WRITE_DATA is FILE_ADD_FILE, FILE_APPEND_DATA
// is FILE_ADD_SUBDIRECTORY, and 0x40 is FILE_DELETE_CHILD (winnt.h).
const writeRights = windows.FILE_WRITE_DATA | windows.FILE_APPEND_DATA | 0x40 |
	windows.GENERIC_WRITE | windows.GENERIC_ALL | windows.WRITE_DAC | windows.WRITE_OWNER | windows.DELETE

// broadGroups are well-known groups that hold other local users.
var broadGroups = []windows.WELL_KNOWN_SID_TYPE{
	windows.WinWorldSid, windows.WinAuthenticatedUserSid, windows.WinBuiltinUsersSid,
	windows.WinBuiltinGuestsSid, windows.WinAnonymousSid, windows.WinInteractiveSid,
}

// trustedOwners may own the directory besides the user: an elevated administrator's files are
// owned by Administrators, and SYSTEM owns what an installer created.
var trustedOwners = []windows.WELL_KNOWN_SID_TYPE{windows.WinLocalSystemSid, windows.WinBuiltinAdministratorsSid}

func checkPrivate(dir string) error {
	sd, err := windows.GetNamedSecurityInfo(dir, windows.SE_FILE_OBJECT,
		windows.OWNER_SECURITY_INFORMATION|windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		return &fs.PathError{Op: "mkdir", Path: dir, Err: err}
	}
	owner, _, err := sd.Owner()
	if err != nil {
		return &fs.PathError{Op: "mkdir", Path: dir, Err: err}
	}
	if err := checkOwner(owner); err != nil {
		return &fs.PathError{Op: "mkdir", Path: dir, Err: err}
	}
	dacl, _, err := sd.DACL()
	if err != nil || dacl == nil {
		// No DACL at all grants everyone full access.
		return &fs.PathError{Op: "mkdir", Path: dir, Err: fmt.Errorf("%w: no access control list", ErrInsecureDir)}
	}
	for i := uint32(0); i < uint32(dacl.AceCount); i++ {
		var ace *windows.ACCESS_ALLOWED_ACE
		if err := windows.GetAce(dacl, i, &ace); err != nil {
			return &fs.PathError{Op: "mkdir", Path: dir, Err: err}
		}
		if ace.Header.AceType != windows.ACCESS_ALLOWED_ACE_TYPE || ace.Header.AceFlags&windows.INHERIT_ONLY_ACE != 0 {
			continue
		}
		if ace.Mask&writeRights == 0 {
			continue
		}
		sid := (*windows.SID)(unsafe.Pointer(&ace.SidStart))
		for _, g := range broadGroups {
			if sid.IsWellKnown(g) {
				return &fs.PathError{Op: "mkdir", Path: dir, Err: fmt.Errorf("%w: its ACL lets %s write it", ErrInsecureDir, sid)}
			}
		}
	}
	return nil
}

// checkOwner accepts the current user and the trusted owners.
func checkOwner(owner *windows.SID) error {
	user, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return err
	}
	if owner.Equals(user.User.Sid) {
		return nil
	}
	for _, t := range trustedOwners {
		if owner.IsWellKnown(t) {
			return nil
		}
	}
	return fmt.Errorf("%w: owned by %s, not by this user (%s)", ErrInsecureDir, owner, user.User.Sid)
}
