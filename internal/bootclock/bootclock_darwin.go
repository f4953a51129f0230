package bootclock

import (
	"time"

	"golang.org/x/sys/unix"
)

// read takes kern.bootsessionuuid (new at each boot) and kern.boottime, which XNU moves by as
// much as the calendar clock is set (its clock_set_calendar_microtime adjusts the boot time by
// the delta). Inferred from XNU's source, not tested on a Mac here: were it not so, Start would
// never move, and a step back would go unseen here but raise no false alarm. iOS is Darwin here.
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
