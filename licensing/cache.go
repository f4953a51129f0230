package licensing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/tollgate-dev/tollgate/internal/errs"
	"github.com/tollgate-dev/tollgate/internal/record"
	"github.com/tollgate-dev/tollgate/store"
	"github.com/tollgate-dev/tollgate/token"
)

// save writes value as the cached record.
func (c *Client) save(ctx context.Context, value string) error {
	c.saveMu.Lock()
	defer c.saveMu.Unlock()
	return c.store.Save(ctx, c.storeName, value)
}

// drop deletes the cached token; a failure is logged, since the caller's error says more.
func (c *Client) drop(ctx context.Context, why string) {
	c.saveMu.Lock()
	defer c.saveMu.Unlock()
	if err := c.store.Delete(ctx, c.storeName); err != nil {
		c.logger.LogAttrs(ctx, slog.LevelWarn, "licensing: could not drop the cached activation token",
			slog.String("why", why), slog.Any("error", err))
		return
	}
	c.logger.LogAttrs(ctx, slog.LevelInfo, "licensing: dropped the cached activation token", slog.String("why", why))
}

// dropsToken reports whether err holds an answer after which the cached token no longer holds:
// a 404, or one of the codes after which the vendor's own client drops it. It returns that
// answer.
func dropsToken(err error) (*APIError, bool) {
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return nil, false
	}
	switch apiErr.Code {
	case errs.CodeInvalidFingerprint, errs.CodeVMNotAllowed, errs.CodeContainerNotAllowed, errs.CodeInvalidProductID,
		errs.CodeInvalidLicenseKey, errs.CodeAuthenticationFailed, errs.CodeCountryNotAllowed,
		errs.CodeIPAddressNotAllowed, errs.CodeRevokedLicense, errs.CodeInvalidLicenseType:
		return apiErr, true
	}
	if apiErr.StatusCode == http.StatusNotFound {
		return apiErr, true
	}
	return nil, false
}

// cached is the verified content of the cache.
type cached struct {
	stored   string // the stored value, as read
	rec      record.Record
	claims   *token.Claims
	tampered error // the record's seal did not match: its time cannot be trusted
	sealKey  []byte
	lapsed   *memory // set, with errLapsed, when a lapsed lease left only the id and key
	slot     slot    // where it was read from
}

// loadCached reads the cache and verifies its token against this machine. Nothing cached, or
// a value that is not a record, is ErrNotActivated; a store that cannot be read now is
// ErrCacheUnavailable; a token that fails verification gives its error. A lapsed lease's
// record gives errLapsed with what it remembers in got.lapsed.
func (c *Client) loadCached(ctx context.Context) (*cached, error) {
	return c.load(ctx, c.licenseSlot())
}

// load is loadCached for the record of s: the activation's or the trial's.
func (c *Client) load(ctx context.Context, s slot) (*cached, error) {
	fp, sealKey, err := c.fingerprint(ctx)
	if err != nil {
		return nil, err
	}
	stored, err := c.store.Load(ctx, s.name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errs.ErrNotActivated
	case errors.Is(err, store.ErrCorrupt):
		return nil, fmt.Errorf("%w: the cache holds no readable value: %w", errs.ErrNotActivated, err)
	case err != nil:
		return nil, fmt.Errorf("%w: %w", errs.ErrCacheUnavailable, err)
	}
	if l, ok, err := decodeLapsed(stored, sealKey); ok {
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errs.ErrNotActivated, err)
		}
		return &cached{stored: stored, lapsed: l, sealKey: sealKey, slot: s}, errLapsed
	}
	// The memo holds license records only: a trial's token is verified without a license key,
	// so a trial record copied into the license's place must never pass as verified there.
	if rec, claims, ok := c.memo.get(stored); ok && !s.trial {
		// The same bytes verified before; the binding to this machine is checked again.
		if claims.Fingerprint != fp {
			return nil, fmt.Errorf("%w: the token is bound to another machine", errs.ErrFingerprintMismatch)
		}
		return &cached{stored: stored, rec: rec, claims: claims, sealKey: sealKey, slot: s}, nil
	}
	rec, recErr := record.Decode(stored, sealKey)
	if errors.Is(recErr, record.ErrCorrupt) {
		return nil, fmt.Errorf("%w: %w", errs.ErrNotActivated, recErr)
	}
	// A token copied from another machine fails here with ErrFingerprintMismatch, before its
	// seal (keyed by the fingerprint too) is looked at.
	claims, err := s.verify(c.verifier, rec.Token, rec.Key, fp)
	if err != nil {
		return nil, err
	}
	if recErr == nil && !s.trial {
		c.memo.put(stored, rec, claims)
	}
	return &cached{stored: stored, rec: rec, claims: claims, tampered: recErr, sealKey: sealKey, slot: s}, nil
}

// moveForward records now as the last successful check, unless the cache changed meanwhile
// (an update cached a newer token). A failure is logged: the check itself succeeded.
func (c *Client) moveForward(ctx context.Context, got *cached, now time.Time) {
	c.saveMu.Lock()
	defer c.saveMu.Unlock()
	if cur, err := c.store.Load(ctx, got.slot.name); err != nil || cur != got.stored {
		return
	}
	rec := got.rec
	rec.LastSeen = now
	stored := record.Encode(rec, got.sealKey)
	if err := c.store.Save(ctx, got.slot.name, stored); err != nil {
		c.logger.LogAttrs(ctx, slog.LevelWarn, "licensing: could not record the time of this check", slog.Any("error", err))
		return
	}
	// The same verified token with a later time, sealed here: no need to verify it again.
	if !got.slot.trial {
		c.memo.put(stored, rec, got.claims)
	}
}

// ClearCache forgets the cached activation on this machine (its token, or the license key and
// id a lapsed lease left), so the next start asks for a license. It sends nothing: the
// activation stays on the server, and [Client.Deactivate] is what frees the seat.
func (c *Client) ClearCache(ctx context.Context) error {
	c.saveMu.Lock()
	defer c.saveMu.Unlock()
	if err := c.store.Delete(ctx, c.storeName); err != nil {
		return fmt.Errorf("licensing: clear the cache: %w", err)
	}
	return nil
}

// slot is one cached record: the license activation's, or the trial's beside it.
type slot struct {
	name  string // the record's name in the store
	trial bool   // a trial token: bound to product and fingerprint, no license key
}

// licenseSlot is the record of the license activation.
func (c *Client) licenseSlot() slot { return slot{name: c.storeName} }

// trialSlot is the record of the trial activation, kept apart from the license's.
func (c *Client) trialSlot() slot { return slot{name: "trial/" + c.cfg.ProductID, trial: true} }

// verify checks a token of this slot: an activation token is bound to the license key it was
// requested with, a trial token to the product and fingerprint only.
func (s slot) verify(v *token.Verifier, raw, licenseKey, fingerprint string) (*token.Claims, error) {
	if s.trial {
		return v.VerifyTrial(raw, fingerprint)
	}
	return v.Verify(raw, token.Binding{LicenseKey: licenseKey, Fingerprint: fingerprint})
}
