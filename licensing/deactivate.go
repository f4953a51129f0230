package licensing

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/tollgate-dev/tollgate/internal/errs"
	"github.com/tollgate-dev/tollgate/transport"
)

// Deactivate frees this machine's seat (POST /v3/activations/{id}/deactivate) and drops the
// cache; nil means the seat is free, a 404 included. Nothing cached is [ErrNotActivated]; a 2xx
// that is not the API's answer (an HTML page, say) is [ErrBadResponse]; other errors keep the
// cache, and deactivating is safe to repeat. The dropped token, put back into the store, is
// refused while this client runs.
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
	resp, err := c.http.Do(ctx, transport.Request{Method: http.MethodPost, Path: activationPath(r.id) + "/deactivate", Body: b,
		Secrets: secrets})
	if err == nil {
		err = deactivated(resp)
	}
	var apiErr *APIError
	switch {
	case err == nil, errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound:
		// The activation has ended: a copy of its record put back is refused (newest.go).
		c.cache.newest.drop(c.cache.license.name, "", true)
		return c.ClearCache(ctx)
	}
	if apiErr, ok := dropsToken(err); ok {
		c.cache.drop(ctx, c.cache.license, "the server answered "+apiErr.Error())
	}
	return err
}

// deactivated returns nil when resp, a 2xx, is the API's answer to a deactivation, and an error
// wrapping ErrBadResponse otherwise. Documented (api-notes.md): 200, and 204 for the legacy
// DELETE; the 200's body is not documented: an empty body or a JSON object (inferred: the API
// answers JSON) is taken; anything else (an HTML page from a proxy or a web app behind a wrong
// base path, text, a JSON array or string, another 2xx status) is not the API's answer.
func deactivated(resp *transport.Response) error {
	b := bytes.TrimSpace(resp.Body)
	ct := resp.Header.Get("Content-Type")
	switch {
	case resp.StatusCode == http.StatusNoContent && len(b) == 0,
		resp.StatusCode == http.StatusOK && (len(b) == 0 ||
			(ct == "" || strings.Contains(ct, "json")) && b[0] == '{' && json.Valid(b)):
		return nil
	}
	return fmt.Errorf("%w: the %d answer to the deactivation is not the API's; the seat may still be taken", errs.ErrBadResponse, resp.StatusCode)
}
