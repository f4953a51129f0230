package transport

import (
	"context"
	"crypto/tls"
	"errors"
	"math/rand/v2"
	"net/http"
	"time"
)

// RetryPolicy says how often and how long a request is retried. The zero value means the
// documented defaults.
type RetryPolicy struct {
	MaxRetries int           // retries after the first try; 0 = default
	MinWait    time.Duration // 0 = default
	MaxWait    time.Duration // 0 = default; no single wait is longer
	// MaxElapsed bounds a whole call, every try and wait: when it has passed, the try under way
	// is abandoned and none follows. 0 = [DefaultMaxElapsed]; negative = no bound but ctx's.
	MaxElapsed time.Duration

	// CheckRetry decides whether a failed try is retried; nil = [DefaultCheckRetry]. It is asked
	// only where a retry is safe (see [CheckRetry]), so it can refuse more retries, never allow
	// an unsafe one.
	CheckRetry CheckRetry
	// Backoff returns the wait before a retry; nil = [DefaultBackoff]. Its result is held
	// within 0 and MaxWait, and a wait the server asked for (Retry-After on any status,
	// X-Rate-Limit-Reset on a 429) replaces it.
	Backoff Backoff
}

// CheckRetry reports whether a try is retried: resp is its answer (nil after a network error)
// and err its error. [Client.Do] asks it only after its own rules, which no CheckRetry can
// override, have let a retry pass: ctx has not ended, the answer is not a 2xx, it asks for
// no wait longer than MaxWait, and an Unrepeatable request may not have been applied.
type CheckRetry func(ctx context.Context, resp *http.Response, err error) bool

// Backoff returns the wait before retry number attempt (0 for the first retry), given the
// policy's MinWait and MaxWait and the answer that is retried (nil after a network error).
type Backoff func(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration

// Defaults, chosen for a desktop app's start-up: three tries in all, and waits short enough to
// honour the API's rate limit (50 requests per 5-second window) without sleeping long.
//
// With the default client each try is bounded by [DefaultAttemptTimeout] (a TLS handshake by
// 5 s, and one that times out is not tried again), and a whole call by [DefaultMaxElapsed]:
// a server that never answers costs at most 30 s, the vendor's own client's limit, and a peer
// that never completes TLS 5 s (the vendor's: 10 s). A ctx deadline bounds it further.
const (
	DefaultMaxRetries     = 2                      // DefaultMaxRetries is RetryPolicy.MaxRetries' default.
	DefaultMinWait        = 500 * time.Millisecond // DefaultMinWait is RetryPolicy.MinWait's default.
	DefaultMaxWait        = 5 * time.Second        // DefaultMaxWait is RetryPolicy.MaxWait's default.
	DefaultAttemptTimeout = 10 * time.Second       // DefaultAttemptTimeout bounds each try with the default client.
	DefaultMaxElapsed     = 30 * time.Second       // DefaultMaxElapsed is RetryPolicy.MaxElapsed's default.
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
	if p.MaxElapsed == 0 {
		p.MaxElapsed = DefaultMaxElapsed
	}
	if p.CheckRetry == nil {
		p.CheckRetry = DefaultCheckRetry
	}
	if p.Backoff == nil {
		p.Backoff = DefaultBackoff
	}
	return p
}

// DefaultCheckRetry retries network failures and 408, 429, 500, 502, 503 and 504 answers. It
// does not retry a certificate the server's name or chain does not match, a peer that does not
// speak TLS, or a 2xx body over [MaxBody].
func DefaultCheckRetry(_ context.Context, resp *http.Response, err error) bool {
	switch {
	case err != nil:
		return !permanent(err) && !errors.Is(err, errTooLarge)
	case resp == nil:
		return false
	}
	switch resp.StatusCode {
	case http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
		http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// permanent reports errors that a retry cannot mend: a certificate the server's name or chain
// does not match, or a peer that does not speak TLS.
func permanent(err error) bool {
	var certErr *tls.CertificateVerificationError
	var recordErr tls.RecordHeaderError
	return errors.As(err, &certErr) || errors.As(err, &recordErr)
}

// DefaultBackoff returns an exponential step minWait·2^attempt capped at maxWait, of which a
// random half is kept ("equal jitter"), never less than minWait. It ignores resp.
func DefaultBackoff(minWait, maxWait time.Duration, attempt int, _ *http.Response) time.Duration {
	step := maxWait
	if attempt < 30 {
		if s := minWait << attempt; s > 0 && s < maxWait {
			step = s
		}
	}
	half := step / 2
	d := half
	if half > 0 {
		d += rand.N(half + 1)
	}
	if d < minWait {
		d = minWait
	}
	return d
}
