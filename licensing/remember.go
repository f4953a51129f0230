package licensing

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/tollgate-dev/tollgate/internal/errs"
	"github.com/tollgate-dev/tollgate/internal/record"
	"github.com/tollgate-dev/tollgate/store"
	"github.com/tollgate-dev/tollgate/token"
)

// Sync is UpdateActivation for the cached activation: its id, and its license key when u.Key
// is "". It is how an app renews its activation (and a lapsed floating lease) without keeping
// the key or the id itself. With nothing cached it sends nothing and returns an error for which
// [NeedsActivation] is true ([ErrNotActivated], or the cached token's verification error).
//
// After a floating lease lapsed ([ErrLeaseExpired]) the token is gone but the activation id and
// key are remembered, so Sync renews the lease as soon as the server can be reached. Should the
// server have released the lapsed activation meanwhile (it answers 404), Sync takes a seat
// again with the remembered key, as [Client.Activate] would with u's release fields, metadata
// and meter attributes; if no seat is free ([ErrActivationLimitReached]) or the server cannot
// be reached, the key stays remembered for the next try. Only an answer that ends the license
// (revoked, invalid key, ...) forgets it.
//
// Applied: as for UpdateActivation, the server applied the request exactly when the returned
// *Activation is non-nil (its Applied is then true), whatever the error; [ErrOutcomeUnknown]
// means it may have been.
func (c *Client) Sync(ctx context.Context, u Update) (*Activation, error) {
	r, err := c.remembered(ctx)
	if err != nil {
		return nil, err
	}
	if u.Key == "" {
		u.Key = r.key
	}
	act, err := c.UpdateActivation(ctx, r.id, u)
	if r.act != nil || u.Key != r.key || !errors.Is(err, errs.ErrActivationNotFound) {
		return act, err
	}
	// The lease had lapsed, and the server released the activation (UpdateActivation dropped
	// the cache on its 404): take a seat again with the remembered key.
	act, err = c.Activate(ctx, ActivationRequest{Key: r.key, ReleaseVersion: u.ReleaseVersion,
		ReleaseChannel: u.ReleaseChannel, ReleasePlatform: u.ReleasePlatform, ReleasePublishedAt: u.ReleasePublishedAt,
		Metadata: u.Metadata, MeterAttributes: u.MeterAttributes})
	if act == nil && StateOf(err) != StateNeedsLicense {
		c.remember(ctx, r)
	}
	return act, err
}

// memory is what the cache remembers of the activation: its id and license key, and, while
// its token is cached, the verified Activation.
type memory struct {
	id, key string
	act     *Activation // nil after a lease lapsed
}

// remembered returns what the cache remembers. Nothing cached is [ErrNotActivated]; a token
// that fails verification gives its error.
func (c *Client) remembered(ctx context.Context) (memory, error) {
	got, err := c.loadCached(ctx)
	switch {
	case got != nil && got.lapsed != nil:
		return *got.lapsed, nil
	case err != nil:
		return memory{}, err
	}
	return memory{id: got.claims.ActivationID, key: got.rec.Key, act: activationOf(got.claims, got.rec.Token)}, nil
}

// A lapsed record replaces the token when a floating lease ends: the token must go (turning the
// clock back would otherwise revive it), but the activation id and license key stay so that
// the lease can be renewed online without asking the user. It reads
// "tollgate-lapsed-v1:<id>:<key>:<mac>", each part base64url, the MAC an HMAC-SHA256 under the
// record's seal key (product and fingerprint), so that it does not unseal on another machine.
const lapsedVersion = "tollgate-lapsed-v1:"

// maxLapsedRecord bounds what decodeLapsed reads: an id and a key of at most 256 code points
// each (4 bytes apiece), and the MAC, in base64, fit well within it.
const maxLapsedRecord = 8 << 10

func lapsedMAC(sealKey []byte, id, key string) []byte {
	mac := hmac.New(sha256.New, sealKey)
	for _, f := range []string{"lapsed", id, key} {
		mac.Write([]byte(strconv.Itoa(len(f)) + ":" + f))
	}
	return mac.Sum(nil)
}

func encodeLapsed(sealKey []byte, id, key string) string {
	b64 := base64.RawURLEncoding.EncodeToString
	return lapsedVersion + b64([]byte(id)) + ":" + b64([]byte(key)) + ":" + b64(lapsedMAC(sealKey, id, key))
}

// decodeLapsed reads a lapsed record. ok is false when s is not one; err is set when it is one
// but does not read back intact on this machine.
func decodeLapsed(s string, sealKey []byte) (m *memory, ok bool, err error) {
	rest, ok := strings.CutPrefix(s, lapsedVersion)
	if !ok {
		return nil, false, nil
	}
	if len(rest) > maxLapsedRecord {
		return nil, true, fmt.Errorf("%w: lapsed record over %d bytes", record.ErrCorrupt, maxLapsedRecord)
	}
	parts := strings.Split(rest, ":")
	if len(parts) != 3 {
		return nil, true, fmt.Errorf("%w: lapsed record incomplete", record.ErrCorrupt)
	}
	var raw [3][]byte
	for i, p := range parts {
		// Go's base64 decoders skip CR and LF: a field holding one is not ours.
		b, err := base64.RawURLEncoding.Strict().DecodeString(p)
		if err != nil || len(b) == 0 || strings.ContainsAny(p, "\r\n") {
			return nil, true, fmt.Errorf("%w: lapsed record incomplete", record.ErrCorrupt)
		}
		raw[i] = b
	}
	id, key := string(raw[0]), string(raw[1])
	if !hmac.Equal(raw[2], lapsedMAC(sealKey, id, key)) {
		return nil, true, fmt.Errorf("%w: lapsed record not sealed for this machine", record.ErrCorrupt)
	}
	return &memory{id: id, key: key}, true, nil
}

// lapse replaces the cached token, whose lease ended, with a lapsed record. When ifStored is
// not "", it does so only if the cache still holds ifStored (a newer token may have been cached
// meanwhile). A failure is logged: the token then stays, and keeps failing with the same error.
func (c *Client) lapse(ctx context.Context, claims *token.Claims, ifStored string) {
	_, sealKey, err := c.fingerprint(ctx)
	if err != nil {
		return
	}
	c.saveMu.Lock()
	defer c.saveMu.Unlock()
	if ifStored != "" {
		if cur, err := c.store.Load(ctx, c.storeName); err != nil || cur != ifStored {
			return
		}
	}
	if err := c.store.Save(ctx, c.storeName, encodeLapsed(sealKey, claims.ActivationID, claims.Key.Reveal())); err != nil {
		c.logger.LogAttrs(ctx, slog.LevelWarn, "licensing: could not drop the token of a lapsed lease", slog.Any("error", err))
		return
	}
	c.logger.LogAttrs(ctx, slog.LevelInfo, "licensing: the lease lapsed: token dropped, activation id and key kept for renewal")
}

// remember writes a lapsed record for r when the cache holds nothing, so that the key survives
// a renewal that could not take a seat. A failure is logged.
func (c *Client) remember(ctx context.Context, r memory) {
	_, sealKey, err := c.fingerprint(ctx)
	if err != nil {
		return
	}
	c.saveMu.Lock()
	defer c.saveMu.Unlock()
	if _, err := c.store.Load(ctx, c.storeName); !errors.Is(err, store.ErrNotFound) {
		return
	}
	if err := c.store.Save(ctx, c.storeName, encodeLapsed(sealKey, r.id, r.key)); err != nil {
		c.logger.LogAttrs(ctx, slog.LevelWarn, "licensing: could not keep the license key of a lapsed lease", slog.Any("error", err))
	}
}

// errLapsed is what reading a lapsed record gives where a token is needed.
var errLapsed = fmt.Errorf("%w: the token was dropped; Sync or Watch renews the lease online with the remembered key", errs.ErrLeaseExpired)

// heldSecrets is what a request must redact even when it does not send it: the license key this
// client remembers, if any. A trial request carries no key, yet a server that knows this
// machine's license could still echo it. Nothing remembered (or a store that cannot be read)
// gives nil.
func (c *Client) heldSecrets(ctx context.Context) []string {
	r, err := c.remembered(ctx)
	if err != nil || r.key == "" {
		return nil
	}
	return []string{r.key}
}
