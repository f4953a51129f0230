package licensing

import (
	"context"
	"errors"
	"net/http"

	"github.com/tollgate-dev/tollgate/transport"
)

// Deactivate frees this machine's seat (POST /v3/activations/{id}/deactivate) and drops the
// cache; nil means the seat is free, a 404 included. Nothing cached is [ErrNotActivated]; other
// errors keep the cache, and deactivating is safe to repeat.
func (c *Client) Deactivate(ctx context.Context) error {
	m, err := c.Machine(ctx)
	if err != nil {
		return err
	}
	// The token says which activation this is; it must be genuine and this machine's. After a
	// lease lapsed, the id the lapsed record remembers is used.
	r, err := c.remembered(ctx)
	if err != nil {
		return err
	}
	b := deactivateBody(c.cfg.ProductID, &m)
	// The body holds no key, but the server knows it, and the token, and may echo them.
	secrets := []string{r.key}
	if r.act != nil {
		secrets = append(secrets, r.act.Token.Reveal())
	}
	_, err = c.http.Do(ctx, transport.Request{Method: http.MethodPost, Path: activationPath(r.id) + "/deactivate", Body: b,
		Secrets: secrets})
	var apiErr *APIError
	switch {
	case err == nil, errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound:
		if derr := c.ClearCache(ctx); derr != nil {
			return derr
		}
		return nil
	}
	if apiErr, ok := dropsToken(err); ok {
		c.cache.drop(ctx, c.cache.license, "the server answered "+apiErr.Error())
	}
	return err
}
