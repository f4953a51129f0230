package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/redact/redacttest"
)

// The secrets a request may carry: a license key, a password and an access token (a JWT).
var spellingSecrets = []string{
	"Echo-Key-4f9c-SECRET-27chr",
	"correct horse Battery st@ple!",
	"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyIn0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg",
}

// TestSecretsRedactedInEverySpelling is the class "a secret echoed in a spelling literal
// matching misses": a server echoes a request's secret (a key, a password, an access token,
// all three passed as Request.Secrets) with dashes removed, with spaces, in full width,
// reversed, URL-, HTML-, base64- or hex-encoded, or only its first 20 of 27 characters (the
// reported attacks), and in the other spellings of redacttest, in an error's message, code,
// reasonPhrase, a kept header and the request id. None reaches the error or a log line.
func TestSecretsRedactedInEverySpelling(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var echo string
	srv, _ := server(t, func(w http.ResponseWriter, r *http.Request, try int) {
		mu.Lock()
		e := echo
		mu.Unlock()
		body, _ := json.Marshal(map[string]string{"code": e, "message": "bad key " + e + " sent", "reasonPhrase": "refused " + e})
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Echo", "key="+e)
		w.Header().Set("X-Request-Id", e)
		w.WriteHeader(http.StatusBadRequest)
		w.Write(body)
	})
	var logs bytes.Buffer
	c := newClient(t, srv.URL, func(cfg *Config) {
		cfg.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	for _, sec := range spellingSecrets {
		for _, sp := range redacttest.Spellings(sec) {
			mu.Lock()
			echo = sp.Text
			mu.Unlock()
			logs.Reset()
			req := patch(false)
			req.Secrets = spellingSecrets
			_, err := c.Do(context.Background(), req)
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("%s: no *APIError in %v", sp.Name, err)
			}
			all := printed(err) + fmt.Sprintf("%#v %v", *apiErr, apiErr.Header) + apiErr.Code + apiErr.Message +
				apiErr.ReasonPhrase + apiErr.RequestID + logs.String()
			if got, ok := redacttest.Leaked(all, []redacttest.Spelling{sp}); ok {
				t.Errorf("%.12s…, %s: leaks as %q:\n%s", sec, sp.Name, got.Text, all)
			}
			// Network errors: Go's client quotes what the server sent.
			nerr := newRedactor(spellingSecrets).err(fmt.Errorf("malformed HTTP status code %q: %w", sp.Text, context.Canceled))
			if _, ok := redacttest.Leaked(printed(nerr), []redacttest.Spelling{sp}); ok || !errors.Is(nerr, context.Canceled) {
				t.Errorf("%.12s…, %s: network error %v", sec, sp.Name, nerr)
			}
		}
	}
}

// TestHugeHeaderValueCut: a header value of megabytes is cut before the search, so that the
// search stays bounded, and a secret inside the part kept is still redacted.
func TestHugeHeaderValueCut(t *testing.T) {
	t.Parallel()
	r := newRedactor(spellingSecrets)
	huge := "key=" + spellingSecrets[0] + " " + strings.Repeat("QUJD", 1<<20)
	h := r.header(http.Header{"X-Huge": {huge}, "X-Small": {"ok"}})
	got := h.Get("X-Huge")
	if len(got) > maxHeaderValue+len("…") || strings.Contains(strings.ToLower(got), strings.ToLower(spellingSecrets[0])) || h.Get("X-Small") != "ok" {
		t.Errorf("%d bytes kept, small %q", len(got), h.Get("X-Small"))
	}
	if cutBytes("aé", 2) != "a…" || cutBytes("abc", 3) != "abc" {
		t.Error("cutBytes")
	}
}
