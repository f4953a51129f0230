//go:build !linux

package fingerprint

import "errors"

// statLive is Linux's: elsewhere the Linux rules run only over snapshots, which read mountinfo.
func statLive(string) (pathStat, error) {
	return pathStat{}, errors.ErrUnsupported
}
