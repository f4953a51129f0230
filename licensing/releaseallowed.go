package licensing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/tollgate-dev/tollgate/internal/errs"
	"github.com/tollgate-dev/tollgate/transport"
)

// Release entitlement: GET /v3/releases/{id}/allowed, which the vendor's client asks after
// every release GET /v3/releases/update offers (its status "update available, not allowed").
//
// Documented: the vendor's client reports a release as available but not allowed for the
// license; licenses carry a maintenance policy and a max allowed release version that decide
// it. Not documented: the allowed endpoint's answer. The safe reading is taken: a release is
// installable only when a 2xx answer says so, {"allowed": true} (or a bare true); {"allowed":
// false} and any 4xx other than 408 and 429 mean it is not; a 2xx that says neither wraps
// ErrBadResponse; 408, 429, 5xx and network failures are returned as they are. In no case but
// the first does CheckReleaseUpdate return the release.

// ErrReleaseNotAllowed means a newer release exists but this license may not install it
// (see [ReleaseNotAllowedError]). StateRefused: offer to renew the maintenance plan.
var ErrReleaseNotAllowed = errors.New("licensing: a newer release exists, but this license may not install it")

// ReleaseNotAllowedError is [Client.CheckReleaseUpdate]'s error for a newer release this
// license may not install; the *Release it returns is then nil. Release describes the release
// for the app's notice, without its Files, so that nothing in it can be downloaded by mistake.
// It matches [ErrReleaseNotAllowed]; Err is the server's refusal when it answered 4xx.
type ReleaseNotAllowedError struct {
	Release *Release
	Err     error
}

// Error names the release's version (ErrReleaseNotAllowed's text without a Release).
func (e *ReleaseNotAllowedError) Error() string {
	if e.Release == nil {
		return ErrReleaseNotAllowed.Error()
	}
	return "licensing: release " + e.Release.Version + " exists, but this license may not install it"
}

// Unwrap returns ErrReleaseNotAllowed and the server's refusal, if any.
func (e *ReleaseNotAllowedError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrReleaseNotAllowed}
	}
	return []error{ErrReleaseNotAllowed, e.Err}
}

// releaseAllowed asks whether the license with key ("" = none cached) may install rel, and
// returns rel only when it may. accountId is sent as the vendor's client sends it, "" included.
func (c *Client) releaseAllowed(ctx context.Context, rel *Release, key, accountID string, secrets []string) (*Release, error) {
	v := url.Values{}
	v.Set("accountId", accountID)
	if key != "" {
		v.Set("key", key)
	}
	path := "/v3/releases/" + url.PathEscape(rel.ID) + "/allowed?" + v.Encode()
	resp, err := c.http.Do(ctx, transport.Request{Method: http.MethodGet, Path: path, Secrets: secrets})
	if err != nil {
		var apiErr *APIError
		if errors.As(err, &apiErr) && apiErr.StatusCode >= 400 && apiErr.StatusCode < 500 &&
			apiErr.StatusCode != http.StatusRequestTimeout && apiErr.StatusCode != http.StatusTooManyRequests {
			return nil, notAllowed(rel, err)
		}
		return nil, err
	}
	allowed, ok := parseAllowed(resp.Body)
	switch {
	case !ok:
		return nil, fmt.Errorf("%w: release %s: the allowed answer says neither yes nor no", errs.ErrBadResponse, rel.Version)
	case !allowed:
		return nil, notAllowed(rel, nil)
	}
	return rel, nil
}

// notAllowed is the error for rel, its files removed.
func notAllowed(rel *Release, err error) error {
	shown := *rel
	shown.Files = nil
	return &ReleaseNotAllowedError{Release: &shown, Err: err}
}

// parseAllowed reads {"allowed": bool} or a bare JSON boolean; ok is false for anything else.
func parseAllowed(body []byte) (allowed, ok bool) {
	var w struct {
		Allowed *bool `json:"allowed"`
	}
	if json.Unmarshal(body, &w) == nil && w.Allowed != nil {
		return *w.Allowed, true
	}
	if json.Unmarshal(body, &allowed) == nil && len(body) > 0 && !isJSONNull(body) {
		return allowed, true
	}
	return false, false
}
