package licensing_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
)

// The class: a 2xx is believed only with the API's body. Deactivate's 2xx frees the seat and
// drops the cache only in a shape the API answers a deactivation with (documented: 200, and 204
// for the legacy DELETE; the 200's body is empty or a JSON object). A page from a web app
// behind a wrong base path, a filtering proxy's 200, text, JSON that is no object, or a 2xx
// the API does not use for it is a bad response: retry later, nothing dropped.
func TestDeactivateTakesOnlyTheAPIsAnswer(t *testing.T) {
	t.Parallel()
	html := http.Header{"Content-Type": {"text/html; charset=utf-8"}}
	notAPI := map[string]licensingtest.Fault{
		"200 HTML page":                  {Status: 200, Body: []byte("<!doctype html><html><body>Sign in to the dashboard</body></html>"), Header: html},
		"200 HTML page, said to be JSON": {Body: []byte("<!doctype html><html><body>Sign in to the dashboard</body></html>"), Header: html},
		"200 HTML without a type":        {Status: 200, Body: []byte("<html><body>index</body></html>")},
		"200 text":                       {Status: 200, Body: []byte("OK"), Header: http.Header{"Content-Type": {"text/plain"}}},
		"200 JSON object as text":        {Status: 200, Body: []byte("{}"), Header: http.Header{"Content-Type": {"text/html"}}},
		"200 JSON array":                 {Status: 200, Body: []byte(`[{"id":"x"}]`), Header: http.Header{"Content-Type": {"application/json"}}},
		"200 JSON string":                {Status: 200, Body: []byte(`"deactivated"`), Header: http.Header{"Content-Type": {"application/json"}}},
		"200 JSON null":                  {Status: 200, Body: []byte(`null`), Header: http.Header{"Content-Type": {"application/json"}}},
		"200 truncated JSON object":      {Status: 200, Body: []byte(`{"id":"x"`), Header: http.Header{"Content-Type": {"application/json"}}},
		"202 empty":                      {Status: 202, EmptyBody: true},
		"201 JSON object":                {Status: 201, Body: []byte(`{}`), Header: http.Header{"Content-Type": {"application/json"}}},
	}
	// Status is set where the Content-Type matters: licensingtest answers a bare Body as JSON.
	for name, f := range notAPI {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e, act := activatedEnv(t, licensingtest.License{})
			e.srv.Inject(f)
			err := e.client.Deactivate(ctx)
			if snap, _ := e.srv.Activation(act.ID); err == nil && !snap.Deactivated {
				t.Fatalf("Deactivate reported the seat free after %s; the server still holds it; cache kept: %v", name, e.cached(t))
			}
			if !errors.Is(err, licensing.ErrBadResponse) || licensing.StateOf(err) != licensing.StateRetryLater {
				t.Errorf("want ErrBadResponse, retry later; got %v (state %v)", err, licensing.StateOf(err))
			}
			if !e.cached(t) {
				t.Error("the cache was dropped")
			}
			if _, err := e.client.Validate(ctx); err != nil {
				t.Errorf("validate after a deactivation that did not happen: %v", err)
			}
			// Asked again, the API's own answer frees the seat.
			if err := e.client.Deactivate(ctx); err != nil {
				t.Fatalf("the retry: %v", err)
			}
			if snap, _ := e.srv.Activation(act.ID); !snap.Deactivated || e.cached(t) {
				t.Fatalf("the retry did not free the seat (%v) or kept the cache (%v)", snap.Deactivated, e.cached(t))
			}
		})
	}
}

// rewrite answers every deactivation the server applied with status and body instead of the
// server's own answer: the shapes the API may send for it.
type rewrite struct {
	base   http.RoundTripper
	status int
	ct     string
	body   string
}

func (w rewrite) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := w.base.RoundTrip(r)
	if err != nil || !strings.HasSuffix(r.URL.Path, "/deactivate") || resp.StatusCode != 200 {
		return resp, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	resp.StatusCode, resp.Status = w.status, http.StatusText(w.status)
	resp.Header = http.Header{}
	if w.ct != "" {
		resp.Header.Set("Content-Type", w.ct)
	}
	resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader([]byte(w.body))), int64(len(w.body))
	return resp, nil
}

// The shapes the API answers a deactivation with are taken: the seat is free, the cache is gone.
func TestDeactivateTakesTheAPIsShapes(t *testing.T) {
	t.Parallel()
	for name, w := range map[string]rewrite{
		"licensingtest's own {}": {},
		"200 empty":              {status: 200},
		"200 empty JSON":         {status: 200, ct: "application/json"},
		"200 JSON object":        {status: 200, ct: "application/json; charset=utf-8", body: `{"id":"x","deactivated":true}`},
		"200 JSON without type":  {status: 200, body: ` {} `},
		"204":                    {status: 204},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e, act := activatedEnv(t, licensingtest.License{})
			c := e.client
			var err error
			if w.status != 0 {
				w.base = e.srv.Client().Transport
				c, err = licensing.New(licensing.Config{ProductID: e.srv.ProductID, PublicKey: e.srv.PublicKey, BaseURL: e.srv.URL,
					Store: e.st, Machine: &e.m, Now: e.now.Now, HTTPClient: &http.Client{Transport: w}})
				if err != nil {
					t.Fatal(err)
				}
			}
			if err := c.Deactivate(ctx); err != nil {
				t.Fatalf("the API's answer %s: %v", name, err)
			}
			if snap, _ := e.srv.Activation(act.ID); !snap.Deactivated || e.cached(t) {
				t.Fatalf("deactivated %v, cached %v", snap.Deactivated, e.cached(t))
			}
		})
	}
}
