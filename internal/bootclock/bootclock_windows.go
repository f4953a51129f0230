package bootclock

import (
	"strconv"
	"time"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

var getTickCount64 = windows.NewLazySystemDLL("kernel32.dll").NewProc("GetTickCount64")

// read takes the time since boot from GetTickCount64 (milliseconds, sleep included, not
// settable: documented) and the boot counter BootId that Windows keeps under PrefetchParameters
// (inferred, not documented: readable by users on the versions seen), when it is there. Not
// tested on Windows here beyond compiling.
func read(withID bool) (Boot, bool) {
	if getTickCount64.Find() != nil {
		return Boot{}, false
	}
	lo, hi, _ := getTickCount64.Call()
	ms := uint64(lo)
	if strconv.IntSize == 32 { // the high half comes back in the second register
		ms |= uint64(hi) << 32
	}
	now := time.Now()
	b := Boot{Start: now.Add(-time.Duration(ms) * time.Millisecond).Round(0)}
	if !withID {
		return b, true
	}
	k, err := registry.OpenKey(registry.LOCAL_MACHINE,
		`SYSTEM\CurrentControlSet\Control\Session Manager\Memory Management\PrefetchParameters`, registry.QUERY_VALUE)
	if err == nil {
		if id, _, err := k.GetIntegerValue("BootId"); err == nil {
			b.ID = "bootid-" + strconv.FormatUint(id, 10)
		}
		k.Close()
	}
	return b, true
}
