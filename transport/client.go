package transport

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Version is the SDK's version, sent in the User-Agent header.
const Version = "0.1.0"

// MaxBody bounds a 2xx answer's body. A larger one is an error, not a longer read.
const MaxBody = 1 << 20

// Config configures a [Client].
type Config struct {
	// BaseURL is checked by [ParseBaseURL]. Required.
	BaseURL string
	// HTTPClient is used as given, never modified: a copy that does not follow redirects (and
	// that bounds each try by DefaultAttemptTimeout when the client sets no Timeout) sends
	// the requests. nil means a client with dial, TLS-handshake and response-header timeouts,
	// TLS 1.2 or later, and the proxy taken from the environment.
	HTTPClient *http.Client
	Retry      RetryPolicy      // zero value = defaults
	Logger     *slog.Logger     // nil = silent
	Now        func() time.Time // nil = time.Now; reads HTTP-date Retry-After values
}

// Client sends requests to the activation API. It is safe for concurrent use.
type Client struct {
	base      *url.URL
	baseURL   string // base.String(), built once rather than at each request
	hc        *http.Client
	policy    RetryPolicy
	logger    *slog.Logger
	now       func() time.Time
	userAgent string
}

// New checks cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	base, err := ParseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("transport: %w", err)
	}
	c := &Client{
		base:      base,
		baseURL:   base.String(),
		policy:    cfg.Retry.withDefaults(),
		logger:    cfg.Logger,
		now:       cfg.Now,
		userAgent: "tollgate-go/" + Version + " (" + runtime.GOOS + "; " + runtime.GOARCH + ") " + runtime.Version(),
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	var hc http.Client
	if cfg.HTTPClient != nil {
		hc = *cfg.HTTPClient // a copy: the caller's client is never modified
	} else {
		hc = http.Client{Transport: DefaultTransport()}
	}
	if hc.Timeout == 0 {
		hc.Timeout = DefaultAttemptTimeout
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.hc = &hc
	return c, nil
}

// DefaultTransport returns the transport used when Config.HTTPClient is nil.
func DefaultTransport() *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: 10 * time.Second,
		ExpectContinueTimeout: time.Second,
		// Shorter than the idle timeout of common load balancers (60 s), so that a request is not
		// written to a connection the server side is closing: for an unrepeatable request that
		// would be an ErrOutcomeUnknown for nothing.
		IdleConnTimeout:     30 * time.Second,
		MaxIdleConnsPerHost: 4,
		ForceAttemptHTTP2:   true,
	}
}

// Request is one call to the API.
type Request struct {
	Method string
	// Path follows the base URL's path, already escaped: "/v3/activations/" + url.PathEscape(id).
	Path string
	Body []byte // JSON; nil for none
	// Unrepeatable marks a request that must not be applied twice, such as one carrying meter
	// increments. It is retried only when the server provably did not act on it: the request
	// never left this machine, or the answer was 429. Any other failure after it was sent
	// returns an error wrapping [ErrOutcomeUnknown].
	Unrepeatable bool
	// Secrets are the values the request holds that must never be printed: the license key, a
	// token when one is sent. Every text the server sends back (an error body's code, message and
	// reasonPhrase, the headers an error keeps, a network error's text) is stripped of them, in
	// any spelling (case, width, separators, reversed, URL, HTML, base64 or hex encoded, or any
	// 8 letters and digits in a row of one), before any error value or log line is built from
	// it. Values shorter than four characters are not redacted.
	Secrets []string
	// Bearer, when not "", is sent as "Authorization: Bearer <Bearer>" (a user's access token)
	// and redacted as Secrets are. "" sends no Authorization header.
	Bearer string
}

// Response is a 2xx answer.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte // at most MaxBody bytes
	Tries      int
}

// call is the state of one Do.
type call struct {
	c    *Client
	req  *Request
	sent atomic.Bool // the current try's headers reached the connection
	// tlsStalled: the current try's TLS handshake timed out (a peer that takes the connection
	// and never speaks TLS: a middlebox, a black hole). It is not tried again.
	tlsStalled atomic.Bool
	tries      int
	body       []byte
	redact     redactor // the request's secrets
	// refused is the answer the policy last refused to retry: retryablehttp asks again about it
	// after its response handler ran, and the policy is asked once per try.
	refused *http.Response
}

// errTooLarge is a 2xx body over MaxBody; it is not retried.
var errTooLarge = fmt.Errorf("%w: response body over %d bytes", ErrBadResponse, MaxBody)

// Do sends req, retrying as [RetryPolicy] and req.Unrepeatable allow, and returns the 2xx
// answer. Any other answer is the error [CheckResponse] makes of it (of the last answer, when
// retries ran out). An Unrepeatable request that failed after it may have been applied wraps
// [ErrOutcomeUnknown]; when ctx ended, ctx.Err() is in the chain.
func (c *Client) Do(ctx context.Context, req Request) (*Response, error) {
	if req.Bearer != "" {
		req.Secrets = append(req.Secrets[:len(req.Secrets):len(req.Secrets)], req.Bearer)
	}
	k := &call{c: c, req: &req, redact: newRedactor(req.Secrets)}
	parent := ctx
	if c.policy.MaxElapsed > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, c.policy.MaxElapsed, errMaxElapsed)
		defer cancel()
	}

	trace := &httptrace.ClientTrace{
		WroteHeaders: func() { k.sent.Store(true) },
		TLSHandshakeDone: func(_ tls.ConnectionState, err error) {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				k.tlsStalled.Store(true)
			}
		},
	}
	var body any
	if req.Body != nil {
		body = req.Body
	}
	rreq, err := retryablehttp.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), req.Method, c.URL(req.Path), body)
	if err != nil {
		return nil, fmt.Errorf("transport: %w", err)
	}
	rreq.Header.Set("User-Agent", c.userAgent)
	rreq.Header.Set("Accept", "application/json")
	if req.Bearer != "" {
		rreq.Header.Set("Authorization", "Bearer "+req.Bearer)
	}
	if req.Body != nil {
		rreq.Header.Set("Content-Type", "application/json")
	}
	rreq.SetResponseHandler(k.readSuccess)

	rc := &retryablehttp.Client{
		HTTPClient:   c.hc,
		RetryWaitMin: c.policy.MinWait,
		RetryWaitMax: c.policy.MaxWait,
		RetryMax:     c.policy.MaxRetries,
		CheckRetry:   k.checkRetry,
		Backoff:      k.backoff,
		ErrorHandler: func(resp *http.Response, err error, _ int) (*http.Response, error) { return resp, err },
		RequestLogHook: func(_ retryablehttp.Logger, r *http.Request, attempt int) {
			k.sent.Store(false)
			k.tlsStalled.Store(false)
			k.tries = attempt + 1
			c.logger.LogAttrs(ctx, slog.LevelDebug, "transport: sending request",
				slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("try", attempt+1))
		},
	}
	resp, err := rc.Do(rreq)
	if resp != nil && resp.Body != nil {
		defer resp.Body.Close()
	}
	return k.finish(parent, ctx, resp, err)
}

// errMaxElapsed ends a call that ran out of RetryPolicy.MaxElapsed: not the caller's ctx.
var errMaxElapsed = errors.New("the call's time limit (RetryPolicy.MaxElapsed) passed")

// readSuccess reads a 2xx body, bounded, while retryablehttp can still retry a truncated one.
func (k *call) readSuccess(resp *http.Response) error {
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil
	}
	b, err := readBody(resp.Body, resp.ContentLength)
	if err != nil {
		return fmt.Errorf("transport: reading response: %w", err)
	}
	if len(b) > MaxBody {
		return errTooLarge
	}
	k.body = b
	return nil
}

// maxPresize bounds the buffer readBody sizes by the answer's Content-Length, which only the
// server vouches for; a longer body grows the buffer as it arrives.
const maxPresize = 64 << 10

// readBody reads at most MaxBody+1 bytes of r into a buffer sized for length bytes (the
// Content-Length; -1 when unknown), so that a token's answer is read into one allocation where
// io.ReadAll would grow its buffer from 512 bytes.
func readBody(r io.Reader, length int64) ([]byte, error) {
	size := 512
	if length >= 0 {
		size = int(min(length, maxPresize)) + 1 // one more byte, to meet EOF without growing
	}
	b := make([]byte, 0, size)
	r = io.LimitReader(r, MaxBody+1)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// mayBeApplied reports whether the server may have acted on the current try: its headers
// reached the connection, or an answer other than 429 came back.
func (k *call) mayBeApplied(resp *http.Response) bool {
	return k.sent.Load() || resp != nil && resp.StatusCode != http.StatusTooManyRequests
}

// checkRetry applies the rules no policy can change, then asks the policy's CheckRetry.
func (k *call) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	switch {
	case ctx.Err() != nil:
		return false, nil // ctx (the caller's, or MaxElapsed) ends every wait and every retry
	case err != nil && k.tlsStalled.Load():
		return false, nil // a TLS handshake that timed out: not tried again
	case err == nil && resp.StatusCode >= 200 && resp.StatusCode <= 299:
		return false, nil // a 2xx is final; readSuccess reads its body next
	case err == nil && resp.StatusCode == http.StatusTooManyRequests:
		k.sent.Store(false) // the server says it did not act on this try
	}
	if err == nil {
		if d, ok := waitAsked(resp, k.c.now()); ok && d > k.c.policy.MaxWait {
			return false, nil // not slept, whatever the status: CheckResponse returns a *RateLimitError
		}
	}
	if k.req.Unrepeatable && k.mayBeApplied(resp) {
		return false, nil // never sent twice once it may have been applied
	}
	if err == nil && resp == k.refused {
		return false, nil
	}
	retry := k.c.policy.CheckRetry(ctx, resp, err)
	if !retry && err == nil {
		k.refused = resp
	}
	if retry && k.tries <= k.c.policy.MaxRetries {
		what := slog.Any("error", k.redact.err(err))
		if resp != nil {
			what = slog.Int("status", resp.StatusCode)
		}
		k.c.logger.LogAttrs(ctx, slog.LevelWarn, "transport: retrying request",
			slog.String("method", k.req.Method), slog.Int("try", k.tries), what)
	}
	return retry, nil
}

// backoff is the wait before a retry: the wait the answer asked for (Retry-After on any status,
// X-Rate-Limit-Reset on a 429), else the policy's Backoff, never longer than MaxWait.
func (k *call) backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if d, ok := waitAsked(resp, k.c.now()); ok {
			return min(d, maxWait)
		}
	}
	return min(max(k.c.policy.Backoff(minWait, maxWait, attempt, resp), 0), maxWait)
}

// finish turns retryablehttp's result into the documented outcome. parent is the caller's ctx,
// ctx the call's (parent bounded by MaxElapsed).
func (k *call) finish(parent, ctx context.Context, resp *http.Response, err error) (*Response, error) {
	if err != nil {
		hideQuery(err)          // the release check's query holds the license key
		err = k.redact.err(err) // Go's HTTP client quotes a malformed answer's bytes
		switch {
		case k.req.Unrepeatable && k.sent.Load():
			// errTooLarge included: the server answered 2xx, so it may well have applied it.
			return nil, fmt.Errorf("%w: the request may have been applied: %w", ErrOutcomeUnknown, err)
		case parent.Err() != nil:
			return nil, fmt.Errorf("transport: request abandoned: %w", parent.Err())
		case ctx.Err() != nil:
			return nil, fmt.Errorf("transport: request failed after %d tries: %w", k.tries, context.Cause(ctx))
		case errors.Is(err, errTooLarge):
			return nil, err
		}
		return nil, fmt.Errorf("transport: request failed after %d tries: %w", k.tries, err)
	}
	if err := CheckResponse(resp, k.req.Secrets, k.c.policy.MaxWait, k.c.now()); err != nil {
		var apiErr *APIError
		var notAPI *StatusError
		switch {
		case k.req.Unrepeatable && errors.As(err, &apiErr) && apiErr.StatusCode >= 500:
			return nil, fmt.Errorf("%w: the server failed after receiving the request: %w", ErrOutcomeUnknown, err)
		case k.req.Unrepeatable && errors.As(err, &notAPI):
			// Something other than the API answered; whether the request reached the API is unknown.
			return nil, fmt.Errorf("%w: an answer that is not the API's: %w", ErrOutcomeUnknown, err)
		}
		return nil, err
	}
	return &Response{StatusCode: resp.StatusCode, Header: k.redact.header(resp.Header), Body: k.body, Tries: k.tries}, nil
}

// URL returns the address a request for path goes to: the base URL, its path prefix kept, then
// path (already escaped).
func (c *Client) URL(path string) string { return c.baseURL + path }

// CloseIdleConnections closes the idle connections of the client's transport, such as at
// shutdown. With a caller's HTTPClient that is the caller's transport's pool.
func (c *Client) CloseIdleConnections() { c.hc.CloseIdleConnections() }
