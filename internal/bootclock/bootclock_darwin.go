package bootclock

import (
	"time"

	"golang.org/x/sys/unix"
)

// read takes kern.bootsessionuuid (new at each boot) and kern.boottime, which the kernel moves by
// as much as the wall clock is set (it keeps boottime + uptime = now). iOS is Darwin here.
func read(withID bool) (Boot, bool) {
	tv, err := unix.SysctlTimeval("kern.boottime")
	if err != nil {
		return Boot{}, false
	}
	b := Boot{Start: time.Unix(tv.Unix())}
	if !withID {
		return b, true
	}
	if id, err := unix.Sysctl("kern.bootsessionuuid"); err == nil && len(id) <= 64 {
		b.ID = id
	}
	return b, true
}
