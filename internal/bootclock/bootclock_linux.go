package bootclock

import (
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// read takes the boot id from /proc/sys/kernel/random/boot_id (a new random UUID at each boot,
// readable by all) and the time since boot from CLOCK_BOOTTIME, which counts suspend too and
// which no one can set. Android is Linux here.
func read(withID bool) (Boot, bool) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts); err != nil {
		return Boot{}, false
	}
	now := time.Now()
	b := Boot{Start: now.Add(-time.Duration(ts.Nano())).Round(0)}
	if !withID {
		return b, true
	}
	if id, err := os.ReadFile("/proc/sys/kernel/random/boot_id"); err == nil && len(id) <= 64 {
		b.ID = strings.TrimSpace(string(id))
	}
	return b, true
}
