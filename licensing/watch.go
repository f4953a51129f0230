package licensing

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/tollgate-dev/tollgate/internal/errs"
)

// Sync timing of [Client.Watch].
const (
	// defaultSyncInterval is how often Watch syncs when the token asks for no sync (ssi 0).
	defaultSyncInterval = time.Hour
	// minSyncWait is the shortest wait between two syncs, however soon a lease ends.
	minSyncWait = time.Second
	// watchBackoffStart is the first wait after a sync that failed but may succeed later; it
	// doubles up to the sync interval.
	watchBackoffStart = 2 * time.Second
)

// Watch keeps the cached activation (or, with no license cached, the trial) in sync until ctx
// ends, calling fn with each result as [Client.Sync] returns it. It blocks; run it in a goroutine.
// It syncs at once, then every ServerSyncInterval of the token (an hour if 0), and at half of a
// floating lease's remaining time; never sooner than a second apart. Network, 5xx and rate-limit
// errors and answers that cannot be used ([ErrBadResponse], [ErrUnverified], [ErrStaleToken])
// back off (from 2 s, at most to the last verified activation's next sync) and retry; expired,
// suspended and grace-over licenses keep syncing on time; other errors stop it and are
// returned. Nothing cached is [ErrNotActivated] at once; a u with meter increments is refused.
// On ctx's end it returns ctx.Err().
//
//	go client.Watch(ctx, licensing.Update{}, func(act *licensing.Activation, err error) {
//		ui.Show(licensing.StateOf(err), act)
//	})
func (c *Client) Watch(ctx context.Context, u Update, fn func(*Activation, error)) error {
	if hasIncrements(u.MeterAttributes) {
		return &ValidationError{Fields: []FieldError{{"meterAttributes", "Watch repeats its update, so it must carry no increments"}}}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	sync, last, err := c.watchTarget(ctx, u)
	if err != nil {
		return err
	}
	if fn == nil {
		fn = func(*Activation, error) {}
	}
	p := pace{last: last}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
		}
		act, err := sync()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		fn(act, err)
		wait, ok := p.next(act, err, c.now())
		if !ok {
			return err
		}
		timer.Reset(wait)
	}
}

// pace times Watch's syncs: last is the last verified activation, whose sync interval and
// lease time the next sync; backoff the last wait after a failure (0: none since a success).
type pace struct {
	last    *Activation
	backoff time.Duration
}

// next takes the result of a sync at now and returns the wait before the next one, or false
// when Watch must stop. Only a verified activation (with Claims; not an unverified answer's
// bare one) replaces last.
func (p *pace) next(act *Activation, err error, now time.Time) (time.Duration, bool) {
	verified := act != nil && act.Claims != nil
	if verified {
		p.last = act
	}
	switch {
	case err == nil || verified && keepsWatching(err):
		p.backoff = 0
		return nextSync(p.last, now), true
	case keepsWatching(err):
		p.backoff = min(max(p.backoff*2, watchBackoffStart), nextSync(p.last, now))
		var rl *RateLimitError
		if errors.As(err, &rl) && rl.RetryAfter > p.backoff {
			return rl.RetryAfter, true
		}
		return p.backoff, true
	}
	return 0, false
}

// nextSync is the wait before the next sync of a: its sync interval, or half the time left on
// its lease when that is sooner, never less than minSyncWait.
func nextSync(a *Activation, now time.Time) time.Duration {
	wait := defaultSyncInterval
	if a != nil && a.ServerSyncInterval > 0 {
		wait = a.ServerSyncInterval
	}
	if a != nil && !a.LeaseExpiresAt.IsZero() {
		if half := a.LeaseExpiresAt.Sub(now) / 2; half < wait {
			wait = half
		}
	}
	return max(wait, minSyncWait)
}

// keepsWatching reports the failures after which the vendor's client keeps syncing: network
// errors, rate limits, server errors and answers that cannot be used (unreadable, unverified,
// stale: they may be a proxy's or a forger's, so they say nothing about the activation). Every
// answer of the API that says the activation itself is wrong stops Watch.
func keepsWatching(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		s := apiErr.StatusCode
		return s == http.StatusTooManyRequests || s == http.StatusRequestTimeout || s >= 500
	}
	var invalid *ValidationError
	switch {
	case errors.Is(err, errs.ErrUnverified), errors.Is(err, ErrStaleToken): // before what they wrap
		return true
	case errors.As(err, &invalid), errors.Is(err, errs.ErrTokenInvalid), errors.Is(err, errs.ErrFingerprintMismatch),
		errors.Is(err, errs.ErrLeaseExpired), errors.Is(err, errs.ErrClockOutOfSync):
		return false
	case StateOf(err) == StateNeedsLicense: // the cache was cleared meanwhile (a sign-out)
		return false
	}
	// What is left failed on the way: the network, a timeout, a bad or missing answer, the cache.
	return true
}

// watchTarget returns the sync that Watch repeats and the activation it starts from. A license
// wins: with a license activation cached (or a lapsed lease's id and key), Sync is repeated;
// with none (noLicense), the cached trial is synced, until a license appears in the cache;
// from that sync on, the license is.
func (c *Client) watchTarget(ctx context.Context, u Update) (func() (*Activation, error), *Activation, error) {
	licenseSync := func() (*Activation, error) { return c.Sync(ctx, u) }
	r, err := c.remembered(ctx)
	if err == nil {
		return licenseSync, r.act, nil
	}
	if !noLicense(err) {
		return nil, nil, err
	}
	tgot, terr := c.load(ctx, c.cache.trial)
	if terr != nil {
		return nil, nil, err
	}
	// The trial endpoint takes no key, user, lease, meters or device: only these are sent.
	tr := TrialRequest{AccountID: u.AccountID, ReleaseVersion: u.ReleaseVersion, ReleaseChannel: u.ReleaseChannel,
		ReleasePlatform: u.ReleasePlatform, ReleasePublishedAt: u.ReleasePublishedAt, Metadata: u.Metadata}
	licensed := false
	sync := func() (*Activation, error) {
		if !licensed {
			_, err := c.remembered(ctx)
			licensed = err == nil
		}
		if licensed {
			return licenseSync()
		}
		return c.SyncTrial(ctx, tr)
	}
	last := activationOf(tgot.claims, tgot.rec.Token)
	last.Trial = true
	return sync, last, nil
}
