package transport

import "time"

// RetryPolicy says how often and how long a request is retried. The zero value means the
// documented defaults.
type RetryPolicy struct {
	MaxRetries int           // retries after the first try; 0 = default
	MinWait    time.Duration // 0 = default
	MaxWait    time.Duration // 0 = default; no single wait is longer
}
