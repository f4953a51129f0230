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

// Verified trials.
//
// Documented (the API reference): POST /v3/trial-activations and PATCH
// /v3/trial-activations/{id} take the same body: the machine's signals as for an activation (os,
// osVersion, fingerprint, vmName, container, hostname, userHash), productId, accountId (0–256,
// always sent), the optional release fields and metadata; no license key. They answer 201, 400,
// 409, 429 or 500; the trial's own error codes are TRIAL_NOT_ALLOWED and
// TRIAL_ACTIVATION_LIMIT_REACHED.
//
// Inferred from third-party clients, not documented: the answer is {"trialActivationToken":
// "<jwt>"} ("activationToken" is accepted too), a JWT signed with the product's RSA key that
// carries pid, fp and eat (the trial's end) like an activation token. It is verified exactly as
// one, bound to the product and the fingerprint (see [token.Verifier.VerifyTrial]), and cached as
// its own record beside the license activation's.

// trialPath is the collection of trial activations.
const trialPath = "/v3/trial-activations"

// trialRecordKey stands in the trial's record where an activation's holds the license key: a
// trial has none, and a record needs one. It is never sent nor compared.
const trialRecordKey = "trial"

// TrialRequest is what [Client.ActivateTrial] and [Client.SyncTrial] send with the machine's
// signals and the product id. As in an update, every optional field has a value that means
// "not sent": in the PATCH of a sync, an absent field is left unchanged.
//
// Documented (the API reference): both trial endpoints take this body, with the limits below
// (lengths in Unicode code points) and no license key.
type TrialRequest struct {
	AccountID          string     // sent as "accountId", "" included; 0 to 256 characters
	ReleaseVersion     string     // "" = not sent; else x.x, x.x.x or x.x.x.x
	ReleaseChannel     string     // "" = not sent; at most 256 characters
	ReleasePlatform    string     // "" = not sent; at most 256 characters
	ReleasePublishedAt time.Time  // zero = not sent; sent as RFC 3339 UTC
	Metadata           []Metadata // nil = not sent; an empty non-nil slice is sent as []
}

// wireTrial is the body of both trial requests, in the reference page's order: the machine and
// the release members as in an update (see wire.go), accountId always, metadata when not nil.
type wireTrial struct {
	wireMachine
	AccountID string `json:"accountId"`
	wireRelease
	Metadata []wireMetadata `json:"metadata,omitzero"`
}

// validateTrial appends to dst every way in which r breaks the reference page.
func validateTrial(dst []FieldError, productID string, m *fingerprint.Machine, r *TrialRequest) []FieldError {
	c := checker{fields: dst}
	c.machine(productID, m)
	c.length("accountId", r.AccountID, 0, maxShort)
	c.release(r.ReleaseVersion, r.ReleaseChannel, r.ReleasePlatform, r.ReleasePublishedAt)
	c.items(r.Metadata, nil)
	return c.fields
}

// encodeTrial marshals a request that passed validateTrial.
func encodeTrial(productID string, m *fingerprint.Machine, r *TrialRequest) []byte {
	md, _ := wireItems(r.Metadata, nil)
	return marshalBody(&wireTrial{wireMachine: machineWire(productID, m), AccountID: r.AccountID,
		wireRelease: releaseWire(r.ReleaseVersion, r.ReleaseChannel, r.ReleasePlatform, r.ReleasePublishedAt),
		Metadata:    md})
}

// ActivateTrial starts this machine's trial: POST /v3/trial-activations with r and the
// machine's signals. It verifies the returned trial token as an activation token, bound to the
// product and this machine's fingerprint, caches it in a record of its own beside the license
// activation's (neither replaces the other), and returns what it says, with
// [Activation.Trial] set and [Activation.ExpiresAt] the trial's end.
//
// A trial that has ended comes back as [ErrExpired] with the genuine *Activation, which is
// cached, as for a license. The server's refusals are [ErrTrialNotAllowed] (the product offers
// no trial) and [ErrTrialActivationLimitReached], with the *[APIError]; they leave the cache as
// it is. A machine whose cached trial verifies and passes every time rule is not sent again:
// ActivateTrial returns that trial without a request. Every problem with r is reported at once,
// as a *[ValidationError], before anything is sent.
//
// Applied: as for [Client.Activate], the server applied the request exactly when the returned
// *Activation has Applied set, whatever the error (a trial whose token is genuine but was
// issued ahead of this clock comes back with [ErrClockOutOfSync] and is not cached).
//
// Documented (the API reference): the endpoint, its body (the same for the POST and the PATCH),
// its responses 201, 400, 409, 429 and 500, and the codes TRIAL_NOT_ALLOWED and
// TRIAL_ACTIVATION_LIMIT_REACHED. Inferred from third-party clients, not documented: the answer
// {"trialActivationToken": "<jwt>"} ("activationToken" is accepted too) and the token's claims
// (see [token.Verifier.VerifyTrial]).
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
	resp, err := c.http.Do(ctx, transport.Request{Method: http.MethodPost, Path: trialPath, Body: body, Secrets: c.heldSecrets(ctx)})
	if err != nil {
		return nil, err
	}
	return c.acceptTrial(ctx, resp.Body, "", &m, sealKey)
}

// SyncTrial syncs the cached trial: PATCH /v3/trial-activations/{id}, with the id of the cached
// trial token, r and the machine's signals. It verifies and caches the answer as ActivateTrial
// does, and the token must be for the same trial activation.
//
// With no trial cached it sends nothing and returns an error for which [NeedsActivation] is true.
// A 404 (the trial activation is gone) and the codes after which the vendor's client drops an
// activation token drop the cached trial; rate limits, 5xx and network failures keep it. An
// ended trial is [ErrExpired] with the genuine *Activation.
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
	resp, err := c.http.Do(ctx, transport.Request{Method: http.MethodPatch, Path: trialPath + "/" + url.PathEscape(id), Body: body,
		Secrets: c.heldSecrets(ctx)})
	if err != nil {
		if apiErr, ok := dropsToken(err); ok {
			c.cache.drop(ctx, c.cache.trial, "the server answered "+apiErr.Error())
		}
		return nil, err
	}
	return c.acceptTrial(ctx, resp.Body, id, &m, sealKey)
}

// acceptTrial verifies the trial token of a 2xx answer and caches it when its state is one the
// vendor's client keeps, as accept does for an activation. The server applied the request, so a
// genuine token comes back as an Applied Activation whatever the error.
func (c *Client) acceptTrial(ctx context.Context, body []byte, activationID string, m *fingerprint.Machine, sealKey []byte) (*Activation, error) {
	raw, err := transport.TrialActivationToken(body)
	if err != nil {
		return nil, fromTransport(err)
	}
	claims, err := c.verifier.VerifyTrial(raw, m.Fingerprint)
	if err != nil {
		return nil, err
	}
	if activationID != "" && claims.ActivationID != activationID {
		return nil, fmt.Errorf("%w: issued for another trial activation", errs.ErrTokenInvalid)
	}
	a := activationOf(claims, raw)
	a.Trial, a.Applied = true, true
	at := c.trialLastSeen(ctx, sealKey, c.now())
	state, stop := c.judgeTrial(ctx, claims, at)
	if stop != nil {
		return a, stop
	}
	c.vouch(claims, at)
	rec := record.Record{Token: raw, Key: trialRecordKey, LastSeen: at}
	if err := c.cache.save(ctx, c.cache.trial, rec, claims, sealKey); err != nil {
		if state != nil {
			return a, fmt.Errorf("%w; %w (%w): %w", state, errs.ErrNotCached, errs.ErrCacheUnavailable, err)
		}
		return a, fmt.Errorf("%w (%w): %w", errs.ErrNotCached, errs.ErrCacheUnavailable, err)
	}
	return a, state
}

// ValidateTrial checks the cached trial offline, against this client's machine: no network.
// It is [Client.Validate] for the trial's record, with one rule more.
//
// Nothing cached is [ErrNotActivated]. The token is verified as ActivateTrial verifies it; the
// record's seal and the clock are checked against the last recorded check ([ErrClockRolledBack]
// when the clock went back by more than [record.RollbackTolerance]) and against the newest time
// of the OS's own files (see [Config.ClockWitnesses]); then the server's time rules of
// [token.CheckTime] are applied. An ended trial is [ErrExpired] with the genuine *Activation.
//
// The rule more: a trial is judged at the later of the clock and the last recorded check, and
// the first check that finds it ended records its time at once. So setting the clock back, by
// however little, never brings an ended trial back, and a trial that has not ended yet is never
// judged earlier than a check already made.
func (c *Client) ValidateTrial(ctx context.Context) (*Activation, error) {
	got, now, err := c.loadChecked(ctx, c.cache.trial)
	if err != nil {
		return nil, err
	}
	at := later(now, got.rec.LastSeen)
	state, stop := c.judgeTrial(ctx, got.claims, at)
	if stop != nil {
		return nil, stop
	}
	// The end of a trial is recorded the first time it is seen, so that no clock set back
	// afterwards can hide it.
	endSeen := !got.claims.ExpiresAt.IsZero() && got.claims.ExpiresAt.Before(got.rec.LastSeen)
	if at.Sub(got.rec.LastSeen) >= persistEvery || (errors.Is(state, errs.ErrExpired) && !endSeen && at.After(got.rec.LastSeen)) {
		c.cache.moveForward(ctx, got, at)
	}
	a := activationOf(got.claims, got.rec.Token)
	a.Trial = true
	return a, state
}

// ValidateLicenseOrTrial is the start-up check of an app that offers a trial: [Client.Validate],
// and only when that finds no license of this machine, [Client.ValidateTrial].
//
// A license wins. Whenever the cache holds a license activation token that verifies on this
// machine, its outcome is returned, good or bad: expired, suspended, grace over, lease ended,
// a clock error. The trial is not looked at then, even when it is still running, so an app never
// falls back to a trial because the license it bought has lapsed. An error that leaves open
// whether a license is cached (the store cannot be read now) is returned as well. The trial's
// outcome is returned only when Validate finds nothing ([ErrNotActivated]) or a token that is not
// this machine's or not genuine ([ErrFingerprintMismatch], [ErrTokenInvalid]), and then only
// when a trial is cached; otherwise Validate's error is returned. [Activation.Trial] tells
// which one answered.
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

// ClearTrialCache forgets the cached trial on this machine. The trial stays on the server: a
// new ActivateTrial gets it back, with its original end.
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
	now := c.now()
	if record.CheckRollback(now, got.rec.LastSeen) != nil || c.checkWitness(now) != nil ||
		token.CheckTime(got.claims, later(now, got.rec.LastSeen)) != nil {
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
