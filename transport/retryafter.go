package transport

import (
	"errors"
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
// A time in the past means no wait. A number too large for an int64 (2^63 or more) is not
// ignored: it saturates to the longest wait, so that the caller gets a *RateLimitError rather
// than a retry. ok is false when neither header holds a usable value.
func RetryAfter(h http.Header, now time.Time) (d time.Duration, ok bool) {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if secs, ok := parseInt(v); ok {
			return seconds(secs), true
		}
		if t, err := http.ParseTime(v); err == nil {
			return until(t, now), true
		}
	}
	if v := strings.TrimSpace(h.Get("X-Rate-Limit-Reset")); v != "" {
		if secs, ok := parseInt(v); ok {
			if secs >= 1_000_000_000 {
				if secs-now.Unix() > int64(maxRetryAfter/time.Second) {
					return maxRetryAfter, true // also beyond what time.Unix can represent
				}
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

// parseInt reads a decimal integer, saturating one out of the int64 range to its nearest end
// (strconv reports those with the bound and ErrRange). ok is false for anything that is not an
// integer.
func parseInt(v string) (n int64, ok bool) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, false
	}
	return n, true
}
