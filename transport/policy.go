package transport

import (
	"math/rand/v2"
	"time"
)

// RetryPolicy says how often and how long a request is retried. The zero value means the
// documented defaults.
type RetryPolicy struct {
	MaxRetries int           // retries after the first try; 0 = default
	MinWait    time.Duration // 0 = default
	MaxWait    time.Duration // 0 = default; no single wait is longer
}

// Defaults, chosen for a desktop app's start-up: three tries in all, and waits short enough to
// honour the API's rate limit (50 requests per 5-second window) without sleeping long.
//
// With the default client each try is bounded by [DefaultAttemptTimeout], so a call blocks at
// most 3 × 10 s + 2 × 5 s = 40 s before it returns an error. A ctx deadline bounds it further.
const (
	DefaultMaxRetries     = 2                      // DefaultMaxRetries is RetryPolicy.MaxRetries' default.
	DefaultMinWait        = 500 * time.Millisecond // DefaultMinWait is RetryPolicy.MinWait's default.
	DefaultMaxWait        = 5 * time.Second        // DefaultMaxWait is RetryPolicy.MaxWait's default.
	DefaultAttemptTimeout = 10 * time.Second       // DefaultAttemptTimeout bounds each try with the default client.
)

// NoRetries is a MaxRetries value that means "try once".
const NoRetries = -1

// withDefaults fills in zero values.
func (p RetryPolicy) withDefaults() RetryPolicy {
	switch {
	case p.MaxRetries == 0:
		p.MaxRetries = DefaultMaxRetries
	case p.MaxRetries < 0:
		p.MaxRetries = 0
	}
	if p.MinWait <= 0 {
		p.MinWait = DefaultMinWait
	}
	if p.MaxWait <= 0 {
		p.MaxWait = DefaultMaxWait
	}
	if p.MaxWait < p.MinWait {
		p.MaxWait = p.MinWait
	}
	return p
}

// backoff returns the wait before retry number attempt (0 for the first retry): an exponential
// step MinWait·2^attempt capped at MaxWait, of which a random half is kept ("equal jitter"),
// never less than MinWait.
func (p RetryPolicy) backoff(attempt int) time.Duration {
	step := p.MaxWait
	if attempt < 30 {
		if s := p.MinWait << attempt; s > 0 && s < p.MaxWait {
			step = s
		}
	}
	half := step / 2
	d := half
	if half > 0 {
		d += rand.N(half + 1)
	}
	if d < p.MinWait {
		d = p.MinWait
	}
	return d
}
