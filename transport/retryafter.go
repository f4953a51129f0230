package transport

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxRetryAfter caps what a server may ask for, so that absurd values cannot overflow.
const maxRetryAfter = 7 * 24 * time.Hour

// RetryAfter returns how long the server asked the client to wait, from the Retry-After header
// (delay-seconds or an HTTP-date) or, when that is absent, X-Rate-Limit-Reset. The second header
// is read as a Unix time when it is 1,000,000,000 or more, and as seconds to wait otherwise.
// A time in the past means no wait. ok is false when neither header holds a usable value.
func RetryAfter(h http.Header, now time.Time) (d time.Duration, ok bool) {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
			return seconds(secs), true
		}
		if t, err := http.ParseTime(v); err == nil {
			return until(t, now), true
		}
	}
	if v := strings.TrimSpace(h.Get("X-Rate-Limit-Reset")); v != "" {
		if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
			if secs >= 1_000_000_000 {
				return until(time.Unix(secs, 0), now), true
			}
			return seconds(secs), true
		}
	}
	return 0, false
}

func seconds(s int64) time.Duration {
	switch {
	case s <= 0:
		return 0
	case s >= int64(maxRetryAfter/time.Second):
		return maxRetryAfter
	}
	return time.Duration(s) * time.Second
}

func until(t, now time.Time) time.Duration {
	d := t.Sub(now)
	switch {
	case d <= 0:
		return 0
	case d > maxRetryAfter:
		return maxRetryAfter
	}
	return d
}
