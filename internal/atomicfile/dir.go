package atomicfile

import (
	"errors"
	"os"
)

// ErrInsecureDir is wrapped by [MkdirPrivate] when a directory that others can write cannot
// be made private: another local user could replace or plant the files kept there.
var ErrInsecureDir = errors.New("directory is writable by others")

// MkdirPrivate creates dir (and its parents) if needed, then makes sure that only the current
// user can write it. On Unix a directory of the user's own with group or other permissions is
// tightened to 0700; a shared one (sticky and world-writable, like /tmp), one owned by another
// user (root excepted), and one writable by others that is not the user's to change wrap
// [ErrInsecureDir]. On Windows the directory, created under
// %AppData% by default, inherits that folder's ACL (the user, SYSTEM and Administrators);
// one whose owner is another user, or whose ACL lets Everyone, Users, Authenticated Users,
// Guests or Anonymous write it, wraps [ErrInsecureDir].
func MkdirPrivate(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return checkPrivate(dir)
}

// CheckPrivate is [MkdirPrivate] for a directory that must already exist: it wraps
// fs.ErrNotExist when dir is absent, and otherwise tightens or refuses it the same way.
func CheckPrivate(dir string) error {
	if _, err := os.Stat(dir); err != nil {
		return err
	}
	return checkPrivate(dir)
}
