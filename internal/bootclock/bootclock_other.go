//go:build !linux && !android && !darwin && !ios && !windows

package bootclock

func read() (Boot, bool) { return Boot{}, false }
