package licensing

import "github.com/tollgate-dev/tollgate/internal/bootclock"

// SetBootClock replaces c's reading of the kernel's boot clock with f, for tests whose wall
// clock is their own (Config.Now): f must say what this boot's start looks like by that clock.
func SetBootClock(c *Client, f func() (bootclock.Boot, bool)) { c.clock.boot = f }
