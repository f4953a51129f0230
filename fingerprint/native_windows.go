//go:build windows

package fingerprint

import (
	"context"

	"github.com/denisbrodbeck/machineid"
	"golang.org/x/sys/windows/registry"
)

// readNative reads the Windows signals from the registry.
func readNative(ctx context.Context) (nativeInfo, error) {
	var info nativeInfo
	if k, err := registry.OpenKey(registry.LOCAL_MACHINE, `SOFTWARE\Microsoft\Windows NT\CurrentVersion`, registry.QUERY_VALUE|registry.WOW64_64KEY); err == nil {
		major, _, _ := k.GetIntegerValue("CurrentMajorVersionNumber")
		minor, _, _ := k.GetIntegerValue("CurrentMinorVersionNumber")
		build, _, _ := k.GetStringValue("CurrentBuildNumber")
		ubr, _, _ := k.GetIntegerValue("UBR")
		display, _, _ := k.GetStringValue("DisplayVersion")
		legacy, _, _ := k.GetStringValue("CurrentVersion")
		k.Close()
		info.osVersion = windowsVersion(major, minor, legacy, build, ubr, display)
	}
	if k, err := registry.OpenKey(registry.LOCAL_MACHINE, `HARDWARE\DESCRIPTION\System\BIOS`, registry.QUERY_VALUE|registry.WOW64_64KEY); err == nil {
		str := func(n string) string { v, _, _ := k.GetStringValue(n); return v }
		fw := firmware{
			SysVendor: str("SystemManufacturer"), ProductName: str("SystemProductName"),
			ProductVersion: str("SystemVersion"), BIOSVendor: str("BIOSVendor"), BIOSVersion: str("BIOSVersion"),
			BoardVendor: str("BaseBoardManufacturer"),
		}
		info.vm = classifyFirmware(fw)
		info.vmWhy = firmwareWhy(info.vm, fw)
		k.Close()
	}
	if k, err := registry.OpenKey(registry.LOCAL_MACHINE, `SYSTEM\CurrentControlSet\Control`, registry.QUERY_VALUE|registry.WOW64_64KEY); err == nil {
		ct, _, cerr := k.GetIntegerValue("ContainerType")
		info.container, info.containerWhy = windowsContainer(ct, cerr == nil)
		k.Close()
	}
	ids, err := readNativeIDs(ctx)
	info.ids = ids
	return info, err
}

// readNativeIDs reads the Windows machine id alone: MachineGuid.
func readNativeIDs(ctx context.Context) ([]idCandidate, error) {
	var ids []idCandidate
	if id, err := machineid.ID(); err == nil {
		ids = append(ids, idCandidate{SourceMachineGUID, id})
	}
	return ids, ctx.Err()
}

// firmwareWhy says which firmware strings decided vm on Windows and macOS.
func firmwareWhy(vm string, f firmware) string {
	if vm == "" {
		return "the firmware strings name no hypervisor (" + quote(f.SysVendor) + ", " + quote(f.ProductName) + ")"
	}
	return "the firmware strings " + quote(f.SysVendor) + ", " + quote(f.ProductName) + " name " + vm
}
