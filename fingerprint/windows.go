package fingerprint

import "strconv"

// windowsVersion formats the CurrentVersion registry values as "10.0.22631.4460 (23H2)":
// major.minor.build.UBR, then the display version when there is one. Systems older than
// Windows 10 lack the numeric major/minor values and give CurrentVersion ("6.1") instead.
func windowsVersion(major, minor uint64, legacy, build string, ubr uint64, display string) string {
	v := legacy
	if major != 0 {
		v = strconv.FormatUint(major, 10) + "." + strconv.FormatUint(minor, 10)
	}
	if build != "" {
		if v != "" {
			v += "."
		}
		v += build
		if ubr != 0 {
			v += "." + strconv.FormatUint(ubr, 10)
		}
	}
	if display != "" {
		v += " (" + display + ")"
	}
	return v
}

// windowsContainer decides from HKLM\SYSTEM\CurrentControlSet\Control's ContainerType value
// whether Windows runs in a container. Windows sets the value only inside containers
// (process-isolated and Hyper-V-isolated containers, Windows Sandbox); a host has none. present
// is false when the value does not exist; a value of 0 names no container type.
func windowsContainer(containerType uint64, present bool) (bool, string) {
	switch {
	case !present:
		return false, `no ContainerType value under HKLM\SYSTEM\CurrentControlSet\Control`
	case containerType == 0:
		return false, "ContainerType is 0: no container type"
	}
	return true, "ContainerType is " + strconv.FormatUint(containerType, 10) + ": a Windows container"
}
