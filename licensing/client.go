package licensing

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/tollgate-dev/tollgate/fingerprint"
	"github.com/tollgate-dev/tollgate/internal/errs"
	"github.com/tollgate-dev/tollgate/internal/record"
	"github.com/tollgate-dev/tollgate/internal/witness"
	"github.com/tollgate-dev/tollgate/store"
	"github.com/tollgate-dev/tollgate/token"
	"github.com/tollgate-dev/tollgate/transport"
)

// KeychainService is the keychain service (and file-store folder) of the default store.
const KeychainService = "tollgate"

// persistEvery is how far the clock must move past the recorded time before Validate writes
// the record again: far below record.RollbackTolerance, far above a start-up's frequency.
const persistEvery = 5 * time.Minute

// Client licenses one product on this machine. It is safe for concurrent use.
type Client struct {
	cfg       Config
	verifier  *token.Verifier
	http      *lazyTransport
	store     store.Store
	storeName string
	now       func() time.Time
	logger    *slog.Logger

	mu      sync.Mutex
	machine *fingerprint.Machine // every signal: Config.Machine, or this machine's, collected once, lazily
	idOnly  *fingerprint.Machine // this machine's fingerprint alone, read by an offline check before machine
	sealKey []byte               // record.SealKey of the product and the fingerprint known (machine's, else idOnly's)

	// collect and collectID read this machine: fingerprint.Collect and
	// fingerprint.CollectFingerprint, unless a test replaced them.
	collect, collectID func(ctx context.Context, appID string) (fingerprint.Machine, error)

	saveMu sync.Mutex // orders writes of the cached record within this process

	memo verifiedMemo // the record verified last (see memo.go)

	witness *witness.Witness // nil = no witness; see Config.ClockWitnesses
}

// New checks ProductID, PublicKey and BaseURL. The request's fields, Machine's included, are
// checked at each call, every problem at once.
func New(cfg Config) (*Client, error) {
	p, err := cfg.parse()
	if err != nil {
		return nil, err
	}
	if cfg.AppID == "" {
		cfg.AppID = cfg.ProductID
	}
	v, err := token.NewVerifier(p.key, cfg.ProductID)
	if err != nil {
		return nil, fmt.Errorf("licensing: invalid config: %w", err)
	}
	// The HTTP client is built by the first request (see lazyTransport); p.baseURL passed
	// ParseBaseURL, the only check transport.New makes.
	hc := &lazyTransport{cfg: transport.Config{
		BaseURL: p.baseURL.String(), HTTPClient: cfg.HTTPClient, Retry: cfg.Retry, Logger: cfg.Logger, Now: cfg.Now,
	}}
	c := &Client{cfg: cfg, verifier: v, http: hc, store: cfg.Store, storeName: "activation/" + cfg.ProductID,
		now: cfg.Now, logger: cfg.Logger, collect: fingerprint.Collect, collectID: fingerprint.CollectFingerprint}
	if c.now == nil {
		c.now = time.Now
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	if c.store == nil {
		c.store = store.NewDefault(KeychainService, c.logger)
	}
	if cfg.Machine != nil {
		c.setMachine(*cfg.Machine)
	}
	c.witness = newWitness(&cfg)
	return c, nil
}

func (c *Client) setMachine(m fingerprint.Machine) {
	c.machine = &m
	c.sealKey = record.SealKey(c.cfg.ProductID, m.Fingerprint)
}

// Machine returns the signals this client sends: Config.Machine when set, else this machine's,
// collected on first use and reused.
//
// Offline checks ([Client.Validate], [Client.ValidateTrial]) need only the fingerprint, and a
// client that has not collected every signal yet reads the fingerprint alone for them
// ([fingerprint.CollectFingerprint]): nothing else is read before the first call that sends
// the signals, or Machine. Should the fingerprint then collected differ from the one read
// before (the machine id changed meanwhile), the new one replaces it, as a fresh client would
// read it: from then on the cache is checked and sealed with it, and a token bound to the
// former fails with [ErrFingerprintMismatch].
func (c *Client) Machine(ctx context.Context) (fingerprint.Machine, error) {
	m, _, err := c.identity(ctx)
	return m, err
}

// identity returns every signal of the machine and the key that seals its cached records: for
// calls that send the signals.
func (c *Client) identity(ctx context.Context) (fingerprint.Machine, []byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.machine == nil {
		m, err := c.collect(ctx, c.cfg.AppID)
		if err != nil {
			return fingerprint.Machine{}, nil, fmt.Errorf("licensing: collect machine signals: %w", err)
		}
		if c.idOnly != nil && c.idOnly.Fingerprint != m.Fingerprint {
			c.logger.LogAttrs(ctx, slog.LevelWarn, "licensing: this machine's fingerprint changed since this client first read it; the new one is used",
				slog.String("source_before", string(c.idOnly.Source)), slog.String("source_now", string(m.Source)))
		}
		c.idOnly = nil
		c.setMachine(m)
	}
	return *c.machine, c.sealKey, nil
}

// fingerprint returns the machine's fingerprint and the key that seals its cached records: for
// offline checks, which need nothing else. Before any call collected every signal, it reads the
// fingerprint alone.
func (c *Client) fingerprint(ctx context.Context) (string, []byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.machine != nil:
		return c.machine.Fingerprint, c.sealKey, nil
	case c.idOnly == nil:
		m, err := c.collectID(ctx, c.cfg.AppID)
		if err != nil {
			return "", nil, fmt.Errorf("licensing: collect machine signals: %w", err)
		}
		c.idOnly = &m
		c.sealKey = record.SealKey(c.cfg.ProductID, m.Fingerprint)
	}
	return c.idOnly.Fingerprint, c.sealKey, nil
}

// CacheLocation says where activation tokens are cached, such as "OS keychain, service
// \"tollgate\"". With the default store it says which backend holds values now, calling nothing.
func (c *Client) CacheLocation(ctx context.Context) string {
	if d, ok := c.store.(store.Describer); ok {
		return d.Describe(ctx)
	}
	return fmt.Sprintf("%T", c.store)
}

// CloseIdleConnections closes idle HTTP connections, such as at shutdown.
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }

// activationPath returns /v3/activations/{id} with id path-escaped.
func activationPath(id string) string { return "/v3/activations/" + url.PathEscape(id) }

// UpdateActivation validates u with the machine's signals, sends PATCH /v3/activations/{id},
// verifies the returned token offline (signature, product, key, and the fingerprint that was
// sent), caches it, and returns what it says. u.Key "" means the license key of the cached
// activation (see [Client.Sync], which also supplies the id); with nothing cached it stays
// required.
//
// Every problem with the request is reported at once, as a *[ValidationError], before anything
// is sent. A request whose meter attributes carry increments is never repeated once it may have
// reached the server: such a failure wraps [ErrOutcomeUnknown].
//
// Applied: the server applied the request, and counted its increments, exactly when the
// returned *Activation is non-nil; its Applied is then true and Counted lists the increments.
// That holds whatever the error: [ErrExpired], [ErrSuspended] and [ErrGracePeriodOver] (the
// license's state, read from the new token, which is cached), [ErrNotCached] (the store failed),
// [ErrClockOutOfSync] and [ErrLeaseExpired] (the new token is genuine but cannot be used now;
// it is not cached) all come with it. With a nil *Activation no increment was counted, except
// with [ErrOutcomeUnknown], which means they may have been: see its recipe. (A request without
// increments whose 2xx answer could not be verified may have been applied; it is safe to send
// again.)
//
// The cached token is dropped on 404 and on the server codes after which the vendor's client
// drops it (revoked, invalid key, fingerprint, VM, country, IP, product, license type); it is kept
// on rate limits, limit errors, 5xx and network failures, so the app keeps working offline.
// A token that fails verification is never cached. RELIABILITY.md lists the outcome of every
// fault.
func (c *Client) UpdateActivation(ctx context.Context, activationID string, u Update) (*Activation, error) {
	m, sealKey, err := c.identity(ctx)
	if err != nil {
		return nil, err
	}
	if u.Key == "" {
		r, err := c.remembered(ctx)
		if StateOf(err) == StateCacheUnavailable { // a key may well be cached: do not ask for one
			return nil, err
		}
		u.Key = r.key // "" when nothing is remembered: validation reports it
	}
	fields := validateActivationID(nil, activationID)
	fields = validateUpdate(fields, c.cfg.ProductID, &m, &u)
	if len(fields) > 0 {
		return nil, &ValidationError{Fields: fields}
	}
	body := updateBody(c.cfg.ProductID, &m, &u)
	resp, err := c.http.Do(ctx, transport.Request{
		Method: http.MethodPatch, Path: activationPath(activationID), Body: body, Unrepeatable: u.hasIncrements(),
		Secrets: []string{u.Key, u.DeviceChallengeSignature},
	})
	if err != nil {
		if apiErr, ok := dropsToken(err); ok {
			c.drop(ctx, "the server answered "+apiErr.Error())
		}
		return nil, err
	}
	return c.accept(ctx, resp.Body, u.Key, activationID, u.MeterAttributes, &m, sealKey)
}

// accept verifies the token of a 2xx answer to a request that sent the increments in sent,
// and caches it when its state is one the vendor's client keeps (valid, grace over, expired,
// suspended). A 2xx means the server applied the request, so every genuine token comes back as
// an Applied Activation, whatever the error; an answer that cannot be verified after a metered
// request wraps ErrOutcomeUnknown, since the app cannot tell whether the server counted it.
func (c *Client) accept(ctx context.Context, body []byte, licenseKey, activationID string, sent []MeterAttribute, m *fingerprint.Machine, sealKey []byte) (*Activation, error) {
	raw, err := transport.ActivationToken(body)
	if err != nil {
		return nil, unconfirmed(sent, fromTransport(err))
	}
	claims, err := c.verifier.Verify(raw, token.Binding{LicenseKey: licenseKey, Fingerprint: m.Fingerprint})
	if err != nil {
		return nil, unconfirmed(sent, err)
	}
	if activationID != "" && claims.ActivationID != activationID {
		return nil, unconfirmed(sent, fmt.Errorf("%w: issued for another activation", errs.ErrTokenInvalid))
	}
	a := activationOf(claims, raw)
	a.Applied, a.Counted = true, counted(sent)
	now := c.now()
	state, stop := c.judge(ctx, claims, now, "")
	if stop != nil {
		return a, stop
	}
	c.vouch(claims, now)
	rec := record.Record{Token: raw, Key: licenseKey, LastSeen: now}
	stored := record.Encode(rec, sealKey)
	if err := c.save(ctx, stored); err != nil {
		if state != nil {
			return a, fmt.Errorf("%w; %w (%w): %w", state, errs.ErrNotCached, errs.ErrCacheUnavailable, err)
		}
		return a, fmt.Errorf("%w (%w): %w", errs.ErrNotCached, errs.ErrCacheUnavailable, err)
	}
	c.memo.put(stored, rec, claims)
	return a, state
}

// unconfirmed marks err, the failure to read a 2xx answer, as ErrOutcomeUnknown when the
// request carried increments: a genuine server applied it, but the answer cannot prove it came
// from one.
func unconfirmed(sent []MeterAttribute, err error) error {
	if !hasIncrements(sent) {
		return err
	}
	return fmt.Errorf("%w: a 2xx answer came back but cannot be used: %w", errs.ErrOutcomeUnknown, err)
}

// counted returns the increments of sent that are not zero, or nil.
func counted(sent []MeterAttribute) []MeterAttribute {
	var out []MeterAttribute
	for _, m := range sent {
		if m.UsesIncrement != 0 {
			out = append(out, m)
		}
	}
	return out
}

// NeedsActivation reports whether err means there is no usable activation on this machine, or
// the license is gone for good on the server: the app should ask for a license key. It is
// StateOf(err) == [StateNeedsLicense]. It is false for [ErrLeaseExpired] (the key is
// remembered: [Client.Sync] renews the lease) and for [ErrCacheUnavailable] (a license may well
// be cached).
func NeedsActivation(err error) bool { return StateOf(err) == StateNeedsLicense }
