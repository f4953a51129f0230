package licensing

import (
	"context"
	"fmt"
	"net/url"
	"sync"

	"github.com/tollgate-dev/tollgate/fingerprint"
	"github.com/tollgate-dev/tollgate/internal/errs"
)

// Client licenses one product on this machine. It is safe for concurrent use.
type Client struct {
	cfg    Config
	parsed parsedConfig

	mu      sync.Mutex
	machine *fingerprint.Machine // collected once, lazily
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
	c := &Client{cfg: cfg, parsed: p}
	if cfg.Machine != nil {
		m := *cfg.Machine
		c.machine = &m
	}
	return c, nil
}

// Machine returns the signals this client sends: Config.Machine when set, else this machine's,
// collected on first use and reused.
func (c *Client) Machine(ctx context.Context) (fingerprint.Machine, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.machine != nil {
		return *c.machine, nil
	}
	m, err := fingerprint.Collect(ctx, c.cfg.AppID)
	if err != nil {
		return fingerprint.Machine{}, fmt.Errorf("licensing: collect machine signals: %w", err)
	}
	c.machine = &m
	return m, nil
}

// updateURL returns the PATCH URL for id: the base URL's path, then /v3/activations/{id} with
// id path-escaped.
func (c *Client) activationURL(id string) string {
	u := *c.parsed.baseURL
	u.Path += "/v3/activations/" + id
	u.RawPath = u.Path[:len(u.Path)-len(id)] + url.PathEscape(id)
	return u.String()
}

// encodeUpdate validates id and u against m and returns the body, or every problem at once.
func (c *Client) encodeUpdate(id string, m *fingerprint.Machine, u *Update) ([]byte, error) {
	fields := validateActivationID(nil, id)
	fields = validateUpdate(fields, c.cfg.ProductID, m, u)
	if len(fields) > 0 {
		return nil, &ValidationError{Fields: fields}
	}
	return appendUpdate(make([]byte, 0, 512), c.cfg.ProductID, m, u), nil
}

// UpdateActivation validates u with the machine's signals, sends PATCH /v3/activations/{id},
// verifies the returned token offline (signature, product, key, and the fingerprint that was
// sent), caches it, and returns what it says.
func (c *Client) UpdateActivation(ctx context.Context, activationID string, u Update) (*Activation, error) {
	m, err := c.Machine(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := c.encodeUpdate(activationID, &m, &u); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("%w: sending an update", errs.ErrNotImplemented)
}

// Validate checks the cached token offline, against this client's machine: no network.
func (c *Client) Validate(ctx context.Context) (*Activation, error) {
	return nil, fmt.Errorf("%w: offline validation", errs.ErrNotImplemented)
}
