//go:build !linux && !android && !darwin && !ios && !windows

package bootclock

func read(bool) (Boot, bool) { return Boot{}, false }
