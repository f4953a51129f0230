package licensing

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/tollgate-dev/tollgate/internal/errs"
	"github.com/tollgate-dev/tollgate/transport"
)

// Release updates: GET /v3/releases/update. docs/LICENSING.md says what is documented about it
// and what is assumed.

// releaseUpdatePath is the release-update endpoint.
const releaseUpdatePath = "/v3/releases/update"

// defaultReleaseChannel is the channel asked for when ReleaseQuery.Channel is "".
const defaultReleaseChannel = "stable"

// ReleaseQuery is what [Client.CheckReleaseUpdate] asks about. Lengths are in Unicode code points.
type ReleaseQuery struct {
	Platform  string // required, 1 to 256 characters: "windows", "macos-arm64", as the releases name it
	Channel   string // "" = "stable"; at most 256 characters
	Version   string // required: this app's x.x[.x[.x]], every part the releases use ("2.0" misses 2.0.1)
	AccountID string // "" = not sent; at most 256 characters
}

// Release is a release of the product, as GET /v3/releases/update describes it.
type Release struct {
	ID                            string // the release's id, which GET /v3/releases/{id}/allowed asks about
	Version, Name, Channel, Notes string
	PublishedAt                   time.Time // zero = not given
	Files                         []ReleaseFile
	Platforms                     []string // the platforms the release is for
}

// ReleaseFile is a file of a release: what to download, and what to check it against with
// [ReleaseFile.Verify].
type ReleaseFile struct {
	Name, URL, Checksum string
	Size                int64 // bytes; 0 = not given
}

// CheckReleaseUpdate asks GET /v3/releases/update whether a release newer than q.Version exists
// for q.Platform and q.Channel, then GET /v3/releases/{id}/allowed whether this license may
// install it, and returns it, or nil and a nil error when there is none. A non-nil *Release is
// always one this license may install: a newer release it may not install (a lapsed
// maintenance plan) is nil and a [*ReleaseNotAllowedError] ([ErrReleaseNotAllowed]), which
// says what the release is. q is checked first ([*ValidationError]); the cached license's key
// (a lapsed lease's too), if any, is sent with both requests; without one the server refuses
// the allowed check, so nothing is offered as installable. An answer without a release id or version, with a file
// whose URL is not absolute http(s), or an "allowed" answer that does not say, wraps
// [ErrBadResponse].
func (c *Client) CheckReleaseUpdate(ctx context.Context, q ReleaseQuery) (*Release, error) {
	var ch checker
	ch.length("platform", q.Platform, 1, maxShort)
	ch.length("channel", q.Channel, 0, maxShort)
	switch {
	case q.Version == "":
		ch.add("version", "is required")
	case !IsReleaseVersion(q.Version):
		ch.add("version", "must be x.x, x.x.x or x.x.x.x, each x a run of ASCII digits")
	}
	ch.length("accountId", q.AccountID, 0, maxShort)
	if len(ch.fields) > 0 {
		return nil, &ValidationError{Fields: ch.fields}
	}
	channel := q.Channel
	if channel == "" {
		channel = defaultReleaseChannel
	}
	v := url.Values{}
	v.Set("productId", c.cfg.ProductID)
	v.Set("platform", q.Platform)
	v.Set("channel", channel)
	v.Set("version", q.Version)
	var secrets []string
	// The remembered key: a verified token's, or a lapsed lease's (the license is the same).
	if r, err := c.remembered(ctx); err == nil && r.key != "" {
		v.Set("key", r.key)
		// The transport removes the key, as is and query-escaped, from whatever the server
		// sends back; the URL in a network error loses its query.
		secrets = []string{r.key, url.QueryEscape(r.key)}
	}
	if q.AccountID != "" {
		v.Set("accountId", q.AccountID)
	}
	resp, err := c.http.Do(ctx, transport.Request{Method: http.MethodGet, Path: releaseUpdatePath + "?" + v.Encode(), Secrets: secrets})
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusNoContent {
		return nil, nil
	}
	rel, err := parseRelease(resp.Body)
	if err != nil {
		return nil, err
	}
	return c.releaseAllowed(ctx, rel, v.Get("key"), q.AccountID, secrets)
}

// wireReleaseObject is the release object, in both its older and newer shapes.
type wireReleaseObject struct {
	ID          json.RawMessage `json:"id"`
	Name        json.RawMessage `json:"name"`
	Version     json.RawMessage `json:"version"`
	Channel     json.RawMessage `json:"channel"`
	Notes       json.RawMessage `json:"notes"`
	PublishedAt json.RawMessage `json:"publishedAt"`
	Published   json.RawMessage `json:"published"`
	Platform    json.RawMessage `json:"platform"`
	Platforms   json.RawMessage `json:"platforms"`
	Files       json.RawMessage `json:"files"` // decoded by decodeList
}

// wireReleaseFile is one of a release's files.
type wireReleaseFile struct {
	Name     json.RawMessage `json:"name"`
	URL      json.RawMessage `json:"url"`
	Size     json.RawMessage `json:"size"`
	Checksum json.RawMessage `json:"checksum"`
}

// parseRelease reads a 200 answer of GET /v3/releases/update.
func parseRelease(body []byte) (*Release, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: release: "+format, append([]any{errs.ErrBadResponse}, a...)...)
	}
	var w wireReleaseObject
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, bad("the body is not a release object")
	}
	var r Release
	var ok bool
	if r.Version, ok = optText(w.Version); !ok || !IsReleaseVersion(r.Version) {
		return nil, bad("version is missing or not a release version")
	}
	// Without its id, whether this license may install the release cannot be asked.
	if r.ID, ok = optText(w.ID); !ok || r.ID == "" {
		return nil, bad("id is missing or not a string")
	}
	for _, f := range []struct {
		dst  *string
		raw  json.RawMessage
		name string
	}{{&r.Name, w.Name, "name"}, {&r.Channel, w.Channel, "channel"}, {&r.Notes, w.Notes, "notes"}} {
		if *f.dst, ok = optText(f.raw); !ok {
			return nil, bad("%s is not a string", f.name)
		}
	}
	published, err := releaseTime(w.PublishedAt, true)
	if err != nil {
		return nil, bad("publishedAt: %v", err)
	}
	if published.IsZero() {
		// The older name. It may also have been a flag ("published": true): only a string is a time.
		if published, err = releaseTime(w.Published, false); err != nil {
			return nil, bad("published: %v", err)
		}
	}
	r.PublishedAt = published
	if r.Platforms, ok = platforms(w.Platforms); !ok {
		return nil, bad("platforms is not a list of strings")
	}
	if r.Platforms == nil {
		if r.Platforms, ok = platforms(w.Platform); !ok {
			return nil, bad("platform is not a string")
		}
	}
	err = decodeList(w.Files, func(d *json.Decoder) error {
		var f wireReleaseFile
		i := len(r.Files)
		if d.Decode(&f) != nil {
			return bad("files[%d] is not a file object", i)
		}
		var rf ReleaseFile
		okName, okURL, okSum := true, true, true
		rf.Name, okName = optText(f.Name)
		rf.URL, okURL = optText(f.URL)
		rf.Checksum, okSum = optText(f.Checksum)
		if !okName || !okURL || !okSum {
			return bad("files[%d]: name, url and checksum must be strings", i)
		}
		if u, err := url.Parse(rf.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return bad("files[%d].url is not an absolute http(s) URL", i)
		}
		if rf.Size, ok = size(f.Size); !ok {
			return bad("files[%d].size is not a whole number of bytes", i)
		}
		r.Files = append(r.Files, rf)
		return nil
	})
	if errors.Is(err, errNotList) {
		return nil, bad("files is not a list of at most %d files", maxListItems)
	}
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// optText reads an optional JSON string: absent and null are "", anything else but a string fails.
func optText(raw json.RawMessage) (string, bool) {
	if isJSONNull(raw) {
		return "", true
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

func isJSONNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}

// releaseTime reads an RFC 3339 date-time. A value that is not a string fails when strict, and
// is ignored otherwise (the older "published" may have been a flag).
func releaseTime(raw json.RawMessage, strict bool) (time.Time, error) {
	if isJSONNull(raw) {
		return time.Time{}, nil
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		if strict {
			return time.Time{}, errors.New("not a string")
		}
		return time.Time{}, nil
	}
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, errors.New("not an RFC 3339 date-time")
	}
	return t, nil
}

// platforms reads platforms (a list of strings) or platform (one string); absent is nil.
func platforms(raw json.RawMessage) ([]string, bool) {
	if isJSONNull(raw) {
		return nil, true
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		if one == "" {
			return nil, true
		}
		return []string{one}, true
	}
	var many []string
	err := decodeList(raw, func(d *json.Decoder) error {
		var s string
		if d.Decode(&s) != nil {
			return errNotList
		}
		many = append(many, s)
		return nil
	})
	if err != nil {
		return nil, false
	}
	if many == nil {
		many = []string{}
	}
	return many, true
}

// size reads a file size: a whole, non-negative JSON number, or such a number written as a
// string of digits.
func size(raw json.RawMessage) (int64, bool) {
	if isJSONNull(raw) {
		return 0, true
	}
	var n json.Number
	if json.Unmarshal(raw, &n) != nil {
		return 0, false
	}
	if v, err := n.Int64(); err == nil {
		return v, v >= 0
	}
	f, err := n.Float64()
	if err != nil || f < 0 || f >= 1<<63 || f != float64(int64(f)) {
		return 0, false
	}
	return int64(f), true
}
