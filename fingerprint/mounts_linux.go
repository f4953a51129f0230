//go:build linux

package fingerprint

import "golang.org/x/sys/unix"

// statLive asks the kernel about path as mountinfo sees it: literally, its last component
// included, so a symbolic link there is looked at itself, not followed (O_PATH|O_NOFOLLOW), and
// a symbolic link before it fails (RESOLVE_NO_SYMLINKS: mountinfo's mount points are real
// paths, which such a path is not). openat2 needs Linux 5.6; any failure leaves the answer to
// mountinfo.
func statLive(path string) (pathStat, error) {
	fd, err := unix.Openat2(unix.AT_FDCWD, path, &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_NOFOLLOW | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_NO_SYMLINKS,
	})
	if err != nil {
		return pathStat{}, err
	}
	defer unix.Close(fd)
	var sfs unix.Statfs_t
	if err := unix.Fstatfs(fd, &sfs); err != nil {
		return pathStat{}, err
	}
	st := pathStat{magic: uint32(sfs.Type)}
	var stx unix.Statx_t
	if err := unix.Statx(fd, "", unix.AT_EMPTY_PATH|unix.AT_SYMLINK_NOFOLLOW, unix.STATX_TYPE, &stx); err == nil &&
		stx.Attributes_mask&unix.STATX_ATTR_MOUNT_ROOT != 0 {
		st.mountRootKnown = true
		st.mountRoot = stx.Attributes&unix.STATX_ATTR_MOUNT_ROOT != 0
	}
	return st, nil
}
