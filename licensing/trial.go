package licensing

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/tollgate-dev/tollgate/fingerprint"
	"github.com/tollgate-dev/tollgate/internal/errs"
	"github.com/tollgate-dev/tollgate/internal/record"
	"github.com/tollgate-dev/tollgate/token"
	"github.com/tollgate-dev/tollgate/transport"
)

// Verified trials: POST and PATCH /v3/trial-activations. docs/LICENSING.md says which facts
// about them are documented and which are inferred from third-party clients.

// trialPath is the collection of trial activations.
const trialPath = "/v3/trial-activations"

// trialRecordKey stands in the trial's record where an activation's holds the license key: a
// trial has none, and a record needs one. It is never sent nor compared.
const trialRecordKey = "trial"

// TrialRequest is what [Client.ActivateTrial] and [Client.SyncTrial] send with the machine's
// signals. Each optional field has a value that means "not sent", given beside it.
type TrialRequest struct {
	AccountID          string     // sent as "accountId", "" included; 0 to 256 characters
	AppVersion         string     // "" = not sent; free-form, at most 256 characters, as in ActivationRequest
	ReleaseVersion     string     // "" = not sent; else x.x, x.x.x or x.x.x.x
	ReleaseChannel     string     // "" = not sent; at most 256 characters
	ReleasePlatform    string     // "" = not sent; at most 256 characters
	ReleasePublishedAt time.Time  // zero = not sent; sent as RFC 3339 UTC
	Metadata           []Metadata // nil = not sent; an empty non-nil slice is sent as []
}

// wireTrial is the body of both trial requests, in the reference page's order: the machine and
// the release members as in an update (see wire.go), accountId always, appVersion when set (the
// vendor's client sends it), metadata when not nil.
type wireTrial struct {
	wireMachine
	AccountID string `json:"accountId"`
	wireRelease
	AppVersion string         `json:"appVersion,omitempty"`
	Metadata   []wireMetadata `json:"metadata,omitzero"`
}

// validateTrial appends to dst every way in which r breaks the reference page.
func validateTrial(dst []FieldError, productID string, m *fingerprint.Machine, r *TrialRequest) []FieldError {
	c := checker{fields: dst}
	c.machine(productID, m)
	c.length("accountId", r.AccountID, 0, maxShort)
	c.release(r.ReleaseVersion, r.ReleaseChannel, r.ReleasePlatform, r.ReleasePublishedAt)
	c.length("appVersion", r.AppVersion, 0, maxShort)
	c.items(r.Metadata, nil)
	return c.fields
}

// encodeTrial marshals a request that passed validateTrial.
func encodeTrial(productID string, m *fingerprint.Machine, r *TrialRequest) []byte {
	md, _ := wireItems(r.Metadata, nil)
	return marshalBody(&wireTrial{wireMachine: machineWire(productID, m), AccountID: r.AccountID,
		wireRelease: releaseWire(r.ReleaseVersion, r.ReleaseChannel, r.ReleasePlatform, r.ReleasePublishedAt),
		AppVersion:  r.AppVersion, Metadata: md})
}

// ActivateTrial starts this machine's trial (POST /v3/trial-activations), verifies and caches
// the trial token beside the license's, and returns it with Trial set and ExpiresAt the trial's
// end. A valid cached trial is returned without a request. An ended trial is [ErrExpired] with
// its *Activation; the server's refusals are [ErrTrialNotAllowed] and
// [ErrTrialActivationLimitReached]. r is checked first ([*ValidationError]). As with
// [Client.Activate], Applied set means the server applied the request, whatever the error.
func (c *Client) ActivateTrial(ctx context.Context, r TrialRequest) (*Activation, error) {
	m, sealKey, err := c.identity(ctx)
	if err != nil {
		return nil, err
	}
	if fields := validateTrial(nil, c.cfg.ProductID, &m, &r); len(fields) > 0 {
		return nil, &ValidationError{Fields: fields}
	}
	if a, ok := c.cachedTrial(ctx); ok {
		return a, nil
	}
	body := encodeTrial(c.cfg.ProductID, &m, &r)
	req := c.beforeSend(ctx, c.cache.trial, m.Fingerprint, sealKey)
	resp, err := c.http.Do(ctx, transport.Request{Method: http.MethodPost, Path: trialPath, Body: body, Secrets: c.heldSecrets(ctx)})
	if err != nil {
		return nil, err
	}
	return c.acceptTrial(ctx, resp.Body, "", req, &m, sealKey)
}

// SyncTrial syncs the cached trial (PATCH /v3/trial-activations/{id}) and caches the answer as
// [Client.ActivateTrial] does. With no trial cached it sends nothing and [NeedsActivation] is
// true for its error. An ended trial is [ErrExpired] with its *Activation.
func (c *Client) SyncTrial(ctx context.Context, r TrialRequest) (*Activation, error) {
	m, sealKey, err := c.identity(ctx)
	if err != nil {
		return nil, err
	}
	if fields := validateTrial(nil, c.cfg.ProductID, &m, &r); len(fields) > 0 {
		return nil, &ValidationError{Fields: fields}
	}
	got, err := c.load(ctx, c.cache.trial)
	if err != nil {
		return nil, err
	}
	id := got.claims.ActivationID
	body := encodeTrial(c.cfg.ProductID, &m, &r)
	req := c.beforeSend(ctx, c.cache.trial, m.Fingerprint, sealKey)
	resp, err := c.http.Do(ctx, transport.Request{Method: http.MethodPatch, Path: trialPath + "/" + url.PathEscape(id), Body: body,
		Secrets: c.heldSecrets(ctx)})
	if err != nil {
		if apiErr, ok := dropsToken(err); ok {
			c.cache.drop(ctx, c.cache.trial, "the server answered "+apiErr.Error())
		}
		return nil, err
	}
	return c.acceptTrial(ctx, resp.Body, id, req, &m, sealKey)
}

// acceptTrial verifies the trial token of a 2xx answer to a request sent as req says, refuses it
// when it is stale (checkFresh), and caches it when its state is one the vendor's client keeps,
// as accept does for an activation. The server applied the request, so a
// genuine token comes back as an Applied Activation whatever the error.
func (c *Client) acceptTrial(ctx context.Context, body []byte, activationID string, req sending, m *fingerprint.Machine, sealKey []byte) (*Activation, error) {
	raw, err := transport.TrialActivationToken(body)
	if err != nil {
		return nil, fromTransport(err)
	}
	claims, err := c.verifier.VerifyTrial(raw, m.Fingerprint)
	if err == nil && activationID != "" && claims.ActivationID != activationID {
		err = fmt.Errorf("%w: issued for another trial activation", errs.ErrTokenInvalid)
	}
	if err != nil {
		return appliedUnverified(nil, true, err)
	}
	if err := checkFresh(claims, req, nil); err != nil {
		return nil, err
	}
	a := activationOf(claims, raw)
	a.Trial, a.Applied = true, true
	at := c.trialLastSeen(ctx, sealKey, c.now())
	state, stop := c.judgeTrial(ctx, claims, at)
	if stop != nil {
		return a, stop
	}
	c.vouch(claims, at)
	rec := record.Record{Token: raw, Key: trialRecordKey, LastSeen: at, Anchors: m.AnchorList()}
	if err := c.cache.save(ctx, c.cache.trial, rec, claims, sealKey); err != nil {
		return a, notCached(state, err)
	}
	return a, state
}

// ValidateTrial is [Client.Validate] for the cached trial: offline, with no network. Nothing
// cached is [ErrNotActivated]; an ended trial is [ErrExpired] with its *Activation, and setting
// the clock back never brings it back.
func (c *Client) ValidateTrial(ctx context.Context) (*Activation, error) {
	got, now, err := c.loadChecked(ctx, c.cache.trial)
	if err != nil {
		return nil, err
	}
	at := c.trialTime(now, got.rec)
	state, stop := c.judgeTrial(ctx, got.claims, at)
	if stop != nil {
		return nil, stop
	}
	// The end of a trial is recorded the first time it is seen, so that no clock set back
	// afterwards can hide it. What is recorded is the clock's time, or just past the trial's end
	// when only the witnesses showed it: a witness's time, which may be a clock mis-set ahead,
	// must not become a last-seen time that the clock then trails.
	rt := later(now, got.rec.LastSeen)
	endSeen := !got.claims.ExpiresAt.IsZero() && got.claims.ExpiresAt.Before(got.rec.LastSeen)
	if errors.Is(state, errs.ErrExpired) && !endSeen && !got.claims.ExpiresAt.IsZero() {
		rt = later(rt, got.claims.ExpiresAt.Add(time.Second))
	}
	if rt.Sub(got.rec.LastSeen) >= persistEvery || (errors.Is(state, errs.ErrExpired) && !endSeen && rt.After(got.rec.LastSeen)) {
		c.cache.moveForward(ctx, got, rt)
	}
	a := activationOf(got.claims, got.rec.Token)
	a.Trial = true
	return a, state
}

// ValidateLicenseOrTrial is the start-up check of an app that offers a trial: [Client.Validate],
// and, only when no license token of this machine is cached, [Client.ValidateTrial]. A cached
// license wins, even expired. [Activation.Trial] tells which one answered.
func (c *Client) ValidateLicenseOrTrial(ctx context.Context) (*Activation, error) {
	act, err := c.Validate(ctx)
	if err == nil || act != nil || !noLicense(err) {
		return act, err
	}
	tact, terr := c.ValidateTrial(ctx)
	if tact == nil && errors.Is(terr, errs.ErrNotActivated) {
		return nil, err
	}
	return tact, terr
}

// noLicense reports whether Validate's err means that no license token of this machine is
// cached, as opposed to one that says the license cannot be used now.
func noLicense(err error) bool {
	return errors.Is(err, errs.ErrNotActivated) || errors.Is(err, errs.ErrFingerprintMismatch) ||
		errors.Is(err, errs.ErrTokenInvalid)
}

// ClearTrialCache forgets the cached trial on this machine; the trial stays on the server.
func (c *Client) ClearTrialCache(ctx context.Context) error {
	if err := c.cache.clear(ctx, c.cache.trial); err != nil {
		return fmt.Errorf("licensing: clear the trial cache: %w", err)
	}
	return nil
}

// cachedTrial returns the cached trial when it is genuine on this machine and passes every
// rule now. It changes nothing.
func (c *Client) cachedTrial(ctx context.Context) (*Activation, bool) {
	got, err := c.load(ctx, c.cache.trial)
	if err != nil || got.tampered != nil {
		return nil, false
	}
	now, err := c.checkClock(c.now(), got.rec)
	if err != nil || token.CheckTime(got.claims, c.trialTime(now, got.rec)) != nil {
		return nil, false
	}
	a := activationOf(got.claims, got.rec.Token)
	a.Trial = true
	return a, true
}

// judgeTrial applies the time rules to a trial at "at", the later of the clock and the last
// recorded check, as judge does for an activation: a lease that ended (no trial token carries
// one so far) drops the trial; a clock out of sync stops.
func (c *Client) judgeTrial(ctx context.Context, claims *token.Claims, at time.Time) (state, stop error) {
	state = token.CheckTime(claims, at)
	switch {
	case errors.Is(state, errs.ErrLeaseExpired):
		c.cache.drop(ctx, c.cache.trial, "lease expired")
		return nil, state
	case errors.Is(state, errs.ErrClockOutOfSync):
		return nil, state
	}
	return state, nil
}

// trialLastSeen returns the time at which a token just received for the trial is judged and
// recorded: now, or the last recorded check of the trial's intact record when that is later
// by no more than record.RollbackTolerance. A record further ahead says that the clock was ahead
// then, not that it is behind now: the new token's iat has just passed the clock-offset rule.
func (c *Client) trialLastSeen(ctx context.Context, sealKey []byte, now time.Time) time.Time {
	seen, ok := c.cache.lastSeen(ctx, c.cache.trial, sealKey)
	if !ok || !seen.After(now) || seen.Sub(now) > record.RollbackTolerance {
		return now
	}
	return seen
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
