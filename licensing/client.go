package licensing

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"github.com/tollgate-dev/tollgate/fingerprint"
	"github.com/tollgate-dev/tollgate/internal/record"
	"github.com/tollgate-dev/tollgate/internal/witness"
	"github.com/tollgate-dev/tollgate/store"
	"github.com/tollgate-dev/tollgate/token"
	"github.com/tollgate-dev/tollgate/transport"
)

// persistEvery is how far the clock must move past the recorded time before Validate writes
// the record again: far below record.RollbackTolerance, far above a start-up's frequency.
const persistEvery = 5 * time.Minute

// Client licenses one product on this machine. It is safe for concurrent use.
type Client struct {
	cfg      Config
	verifier *token.Verifier
	http     *lazyTransport
	cache    *cache // the only way to the store
	now      func() time.Time
	logger   *slog.Logger

	*machineState // behind a pointer, so that fmt, printing a Client by reflection, never reads it

	// collect and collectID read this machine: fingerprint.Collect and
	// fingerprint.CollectFingerprint, unless a test replaced them.
	collect, collectID func(ctx context.Context, appID string) (fingerprint.Machine, error)

	witness *witness.Witness // nil = no witness; see Config.ClockWitnesses
	clock   *clockGuard      // the boot clock and the newest time reached, in memory (clockguard.go)
}

// machineState is what a Client learns of this machine, once, under mu.
type machineState struct {
	mu      sync.Mutex
	machine *fingerprint.Machine // every signal: Config.Machine, or this machine's, collected once, lazily
	idOnly  *fingerprint.Machine // this machine's fingerprint alone, read by an offline check before machine
	sealKey []byte               // record.SealKey of the product and the fingerprint known (machine's, else idOnly's)
}

// New checks cfg's ProductID, PublicKey, BaseURL and AppName and returns a Client. The request's
// fields, Machine's included, are checked at each call, every problem at once.
func New(cfg Config) (*Client, error) {
	p, err := cfg.parse() // sets the defaults of AppID and AppName
	if err != nil {
		return nil, err
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
	c := &Client{cfg: cfg, verifier: v, http: hc, now: cfg.Now, logger: cfg.Logger, machineState: &machineState{},
		collect: fingerprint.Collect, collectID: fingerprint.CollectFingerprint}
	if c.now == nil {
		c.now = time.Now
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	st := cfg.Store
	if st == nil {
		st = store.NewDefault(cfg.AppName, c.logger)
	}
	c.cache = newCache(st, cfg.ProductID, c.logger)
	if cfg.Machine != nil {
		c.setMachine(*cfg.Machine)
	}
	c.witness = newWitness(&cfg)
	c.clock = newClockGuard(&cfg)
	c.cache.clock = c.clock
	return c, nil
}

func (c *Client) setMachine(m fingerprint.Machine) {
	c.machine = &m
	c.sealKey = record.SealKey(c.cfg.ProductID, m.Fingerprint)
}

// Machine returns the signals this client sends: Config.Machine when set, else this machine's,
// collected on first use. Offline checks read only the fingerprint.
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
		m, settled := c.reconcile(ctx, m)
		if c.idOnly != nil && c.idOnly.Fingerprint != m.Fingerprint {
			c.logger.LogAttrs(ctx, slog.LevelWarn, "licensing: this machine's fingerprint changed since this client first read it; the new one is used",
				slog.String("source_before", string(c.idOnly.Source)), slog.String("source_now", string(m.Source)))
		}
		c.idOnly = nil
		c.setMachine(m)
		if !settled { // the store cannot be read now: use m, and ask again next time
			c.machine = nil
			return m, c.sealKey, nil
		}
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
		m, settled := c.reconcile(ctx, m)
		c.idOnly = &m
		c.sealKey = record.SealKey(c.cfg.ProductID, m.Fingerprint)
		if !settled { // the store cannot be read now: use m, and ask again next time
			c.idOnly = nil
			return m.Fingerprint, c.sealKey, nil
		}
	}
	return c.idOnly.Fingerprint, c.sealKey, nil
}

// CacheLocation describes where the cache is kept, such as "OS keychain, service \"app\"".
func (c *Client) CacheLocation(ctx context.Context) string { return c.cache.describe(ctx) }

// CloseIdleConnections closes idle HTTP connections, such as at shutdown.
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }

// activationPath returns /v3/activations/{id} with id path-escaped.
func activationPath(id string) string { return "/v3/activations/" + url.PathEscape(id) }

// NeedsActivation reports whether err means the app should ask for a license key:
// StateOf(err) == [StateNeedsLicense]. It is false for [ErrLeaseExpired] and [ErrCacheUnavailable].
func NeedsActivation(err error) bool { return StateOf(err) == StateNeedsLicense }
