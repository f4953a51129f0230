package licensing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/tollgate-dev/tollgate/internal/errs"
	"github.com/tollgate-dev/tollgate/internal/record"
	"github.com/tollgate-dev/tollgate/store"
	"github.com/tollgate-dev/tollgate/token"
)

// cache is the activation cache: the only code that reads or writes the store. It holds two
// slots, the license activation's and the trial's, each one envelope of internal/record, and
// remembers the license record it verified last (see memo).
type cache struct {
	store   store.Store
	license slot
	trial   slot
	logger  *slog.Logger

	mu sync.Mutex // orders this process's writes; a write that depends on what is stored reads under it

	stamps record.Stamps // of the envelopes this cache writes

	memo memo

	clock  *clockGuard  // stamps each record written with this boot, keeps its time (clockguard.go)
	newest newestTokens // the newest token of each slot this client knows (newest.go)
}

// slot is one cached record: the license activation's, or the trial's beside it.
type slot struct {
	name  string // the record's name in the store
	trial bool   // a trial token: bound to product and fingerprint, no license key
}

func newCache(s store.Store, productID string, logger *slog.Logger) *cache {
	return &cache{store: s, logger: logger,
		license: slot{name: "activation/" + productID}, trial: slot{name: "trial/" + productID, trial: true}}
}

// cached is what load read and verified.
type cached struct {
	stored   string // the stored value, as read
	rec      record.Record
	claims   *token.Claims
	tampered error // the record's seal did not match: its time cannot be trusted
	sealKey  []byte
	lapsed   *record.Lapsed // set, with errLapsed, when a lapsed lease left only the id and key
	slot     slot
}

// errLapsed is what reading a lapsed lease gives where a token is needed.
var errLapsed = fmt.Errorf("%w: the token was dropped; Sync or Watch renews the lease online with the remembered key", errs.ErrLeaseExpired)

// load reads the record of s and verifies its token with v against the machine whose
// fingerprint is fp. Nothing cached, or a value that is not a record, is ErrNotActivated; a
// store that cannot be read now is ErrCacheUnavailable; a token that fails verification gives
// its error; a lapsed lease gives errLapsed with got.lapsed set.
func (k *cache) load(ctx context.Context, s slot, v *token.Verifier, fp string, sealKey []byte) (*cached, error) {
	stored, err := k.store.Load(ctx, s.name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errs.ErrNotActivated
	case errors.Is(err, store.ErrCorrupt):
		return nil, fmt.Errorf("%w: the cache holds no readable value: %w", errs.ErrNotActivated, err)
	case err != nil:
		return nil, fmt.Errorf("%w: %w", errs.ErrCacheUnavailable, err)
	}
	// The memo holds license records only: a trial's token is verified without a license key,
	// so a trial record copied into the license's place must never pass as verified there.
	if rec, claims, ok := k.memo.get(stored); ok && !s.trial {
		// The same bytes verified before; the binding to this machine is checked again.
		if claims.Fingerprint != fp {
			return nil, fmt.Errorf("%w: the token is bound to another machine", errs.ErrFingerprintMismatch)
		}
		if rec, claims, err = k.newestOf(ctx, s, rec, claims); err != nil {
			return nil, err
		}
		return &cached{stored: stored, rec: rec, claims: claims, sealKey: sealKey, slot: s}, nil
	}
	e, recErr := record.Decode(stored, sealKey)
	switch {
	case errors.Is(recErr, record.ErrCorrupt):
		return nil, fmt.Errorf("%w: %w", errs.ErrNotActivated, recErr)
	case e.Lapsed != nil:
		k.stamps.Seen(e.Stamp)
		return &cached{stored: stored, lapsed: e.Lapsed, sealKey: sealKey, slot: s}, errLapsed
	case e.Record == nil: // a tombstone, which the default store never returns
		return nil, errs.ErrNotActivated
	}
	k.stamps.Seen(e.Stamp)
	rec := *e.Record
	// A token copied from another machine fails here with ErrFingerprintMismatch, before its
	// seal (keyed by the fingerprint too) is looked at.
	claims, err := s.verify(v, rec.Token, rec.Key, fp)
	if err != nil {
		return nil, err
	}
	if recErr == nil && !s.trial {
		k.memo.put(stored, rec, claims)
	}
	if rec, claims, err = k.newestOf(ctx, s, rec, claims); err != nil {
		return nil, err
	}
	return &cached{stored: stored, rec: rec, claims: claims, tampered: recErr, sealKey: sealKey, slot: s}, nil
}

// verify checks a token of this slot: an activation token is bound to the license key it was
// requested with, a trial token to the product and fingerprint only.
func (s slot) verify(v *token.Verifier, raw, licenseKey, fingerprint string) (*token.Claims, error) {
	if s.trial {
		return v.VerifyTrial(raw, fingerprint)
	}
	return v.Verify(raw, token.Binding{LicenseKey: licenseKey, Fingerprint: fingerprint})
}

// save writes rec, whose token verified as claims and came in the server's answer, as the
// record of s.
func (k *cache) save(ctx context.Context, s slot, rec record.Record, claims *token.Claims, sealKey []byte) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	err := k.write(ctx, s, rec, claims, sealKey)
	k.newest.drop(s.name, rec.Token, false)
	return err
}

// write is save with k.mu held.
func (k *cache) write(ctx context.Context, s slot, rec record.Record, claims *token.Claims, sealKey []byte) error {
	k.clock.stamp(&rec)
	k.newest.note(s.name, rec, claims) // kept in memory even if the store refuses the write
	stored := record.Encode(rec, sealKey, k.stamps.Next(time.Now()))
	if err := k.store.Save(ctx, s.name, stored); err != nil {
		return err
	}
	// A verified token, sealed here: no need to verify it again.
	if !s.trial {
		k.memo.put(stored, rec, claims)
	}
	return nil
}

// moveForward records now as the last successful check, unless the cache changed meanwhile
// (an update cached a newer token). A failure is logged: the check itself succeeded.
func (k *cache) moveForward(ctx context.Context, got *cached, now time.Time) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if cur, err := k.store.Load(ctx, got.slot.name); err != nil || cur != got.stored {
		return
	}
	rec := got.rec
	rec.LastSeen = now
	if err := k.write(ctx, got.slot, rec, got.claims, got.sealKey); err != nil {
		k.logger.LogAttrs(ctx, slog.LevelWarn, "licensing: could not record the time of this check", slog.Any("error", err))
	}
}

// lapse replaces the license token, whose lease ended, with a lapsed lease that keeps l's id
// and key: the token must go (turning the clock back would otherwise revive it), the key stays
// so that the lease can be renewed online without asking the user. When ifStored is not "", it
// does so only if the cache still holds ifStored (a newer token may have been cached meanwhile).
// A failure is logged: the token then stays, and keeps failing with the same error.
func (k *cache) lapse(ctx context.Context, l record.Lapsed, sealKey []byte, ifStored string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if ifStored != "" {
		if cur, err := k.store.Load(ctx, k.license.name); err != nil || cur != ifStored {
			return
		}
	}
	if err := k.store.Save(ctx, k.license.name, record.EncodeLapsed(l, sealKey, k.stamps.Next(time.Now()))); err != nil {
		k.logger.LogAttrs(ctx, slog.LevelWarn, "licensing: could not drop the token of a lapsed lease", slog.Any("error", err))
		return
	}
	k.logger.LogAttrs(ctx, slog.LevelInfo, "licensing: the lease lapsed: token dropped, activation id and key kept for renewal")
}

// keepLapsed writes a lapsed lease for l when the license slot holds nothing, so that the key
// survives a renewal that could not take a seat. A failure is logged.
func (k *cache) keepLapsed(ctx context.Context, l record.Lapsed, sealKey []byte) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, err := k.store.Load(ctx, k.license.name); !errors.Is(err, store.ErrNotFound) {
		return
	}
	if err := k.store.Save(ctx, k.license.name, record.EncodeLapsed(l, sealKey, k.stamps.Next(time.Now()))); err != nil {
		k.logger.LogAttrs(ctx, slog.LevelWarn, "licensing: could not keep the license key of a lapsed lease", slog.Any("error", err))
	}
}

// clear deletes the record of s.
func (k *cache) clear(ctx context.Context, s slot) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.store.Delete(ctx, s.name)
}

// drop is clear for a server's answer or an ended lease; a failure is logged, since the
// caller's error says more.
func (k *cache) drop(ctx context.Context, s slot, why string) {
	what := "activation"
	if s.trial {
		what = "trial"
	}
	k.newest.drop(s.name, "", true)
	if err := k.clear(ctx, s); err != nil {
		k.logger.LogAttrs(ctx, slog.LevelWarn, "licensing: could not drop the cached "+what+" token",
			slog.String("why", why), slog.Any("error", err))
		return
	}
	k.logger.LogAttrs(ctx, slog.LevelInfo, "licensing: dropped the cached "+what+" token", slog.String("why", why))
}

// lastSeen returns the recorded time of the intact record of s, without verifying its token.
func (k *cache) lastSeen(ctx context.Context, s slot, sealKey []byte) (time.Time, bool) {
	stored, err := k.store.Load(ctx, s.name)
	if err != nil {
		return time.Time{}, false
	}
	e, err := record.Decode(stored, sealKey)
	if err != nil || e.Record == nil {
		return time.Time{}, false
	}
	return e.Record.LastSeen, true
}

// describe says where the store keeps values.
func (k *cache) describe(ctx context.Context) string {
	if d, ok := k.store.(store.Describer); ok {
		return d.Describe(ctx)
	}
	return fmt.Sprintf("%T", k.store)
}

// ClearCache forgets the cached activation on this machine, sending nothing: the activation
// stays on the server ([Client.Deactivate] frees the seat).
func (c *Client) ClearCache(ctx context.Context) error {
	if err := c.cache.clear(ctx, c.cache.license); err != nil {
		return fmt.Errorf("licensing: clear the cache: %w", err)
	}
	return nil
}

// memo remembers the last license record this client verified, so that reading the same bytes
// again costs neither an RSA verification nor a decoding. Only a record whose token verified
// and whose seal matched is remembered; one that differs by a byte is verified afresh. The
// time rules, the anti-rollback check and the fingerprint binding still run on every call.
type memo struct {
	mu     sync.Mutex
	stored string // the record exactly as stored
	rec    record.Record
	claims *token.Claims // private: callers get copies
}

// get returns copies of what stored was verified to say, if it is the remembered record.
func (m *memo) get(stored string) (record.Record, *token.Claims, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.claims == nil || stored != m.stored {
		return record.Record{}, nil, false
	}
	return m.rec, cloneClaims(m.claims), true
}

// put remembers a record that verified and whose seal matched.
func (m *memo) put(stored string, rec record.Record, claims *token.Claims) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stored, m.rec, m.claims = stored, rec, cloneClaims(claims)
}

// cloneClaims copies c and its lists, so that a caller changing the claims it was given (through
// Activation.Claims, say) cannot change what the memo says next time.
func cloneClaims(c *token.Claims) *token.Claims {
	cc := *c
	cc.ProductMetadata = slices.Clone(c.ProductMetadata)
	cc.LicenseMetadata = slices.Clone(c.LicenseMetadata)
	cc.UserMetadata = slices.Clone(c.UserMetadata)
	cc.ActivationMetadata = slices.Clone(c.ActivationMetadata)
	cc.LicenseMeterAttributes = slices.Clone(c.LicenseMeterAttributes)
	cc.ActivationMeterAttributes = slices.Clone(c.ActivationMeterAttributes)
	return &cc
}

// load reads the record of s and verifies it on this machine (see cache.load).
func (c *Client) load(ctx context.Context, s slot) (*cached, error) {
	fp, sealKey, err := c.fingerprint(ctx)
	if err != nil {
		return nil, err
	}
	return c.cache.load(ctx, s, c.verifier, fp, sealKey)
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
