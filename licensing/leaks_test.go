package licensing_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
	"github.com/tollgate-dev/tollgate/transport"
)

// The tests in this file each reproduce one leak of the security review (issue 13). Each failed
// before the fix; the canary harness (canary_test.go) then covers the whole class.

// leakKey is a license key no server text would hold by chance.
const leakKey = "LEAK-Key-0a1b2c3d-CANARY"

// printedErr is every way a caller might print err.
func printedErr(err error) string {
	if err == nil {
		return ""
	}
	return fmt.Sprintf("%s\n%v\n%+v\n%#v\n%s\n", err.Error(), err, err, err, err)
}

// verbs are the fmt verbs a value is printed with: those a Stringer answers, and those (such as
// %d and %x) that print a struct field by field unless the type formats itself. (%p of a value
// that is not a pointer prints its fields whatever its methods; go vet reports such a call.)
var verbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%t", "%08.3f"}

func everyVerb(v any) string {
	var b strings.Builder
	for _, verb := range verbs {
		fmt.Fprintf(&b, verb+"\n", v)
	}
	return b.String()
}

// holds reports whether s holds secret in any letter case.
func holds(s, secret string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(secret))
}

// leakEnv is a server with a license of leakKey, and a client that logs at debug level.
func leakEnv(t *testing.T, hc *http.Client) (*env, *bytes.Buffer) {
	t.Helper()
	e := setup(t, licensingtest.License{Key: leakKey, Meters: map[string]int64{"m": 100}})
	var logs bytes.Buffer
	c, err := licensing.New(licensing.Config{
		ProductID: e.srv.ProductID, PublicKey: e.srv.PublicKey, BaseURL: e.srv.URL, Store: e.st, Machine: &e.m,
		Now: e.now.Now, HTTPClient: hc, Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Retry: transport.RetryPolicy{MaxRetries: 1, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	e.client = c
	return e, &logs
}

// TestLeakMeteredOutcomeUnknown: a metered update or activation whose 5xx answer echoes the
// key returned ErrOutcomeUnknown with the key in err.Error(): the transport wrapped the
// message before licensing redacted it.
func TestLeakMeteredOutcomeUnknown(t *testing.T) {
	t.Parallel()
	e, logs := leakEnv(t, nil)
	inc := []licensing.MeterAttribute{{Name: "m", UsesIncrement: 1}}
	e.srv.Inject(licensingtest.Fault{Status: 503, Message: "upstream failed for key " + leakKey})
	_, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: leakKey, MeterAttributes: inc})
	if !errors.Is(err, licensing.ErrOutcomeUnknown) {
		t.Fatalf("want ErrOutcomeUnknown, got %v", err)
	}
	e.srv.Inject(licensingtest.Fault{Status: 500, Message: "activation of " + leakKey + " failed"})
	_, err2 := e.client.Activate(ctx, licensing.ActivationRequest{Key: leakKey, MeterAttributes: inc})
	if !errors.Is(err2, licensing.ErrOutcomeUnknown) {
		t.Fatalf("want ErrOutcomeUnknown, got %v", err2)
	}
	if all := printedErr(err) + printedErr(err2) + logs.String(); holds(all, leakKey) {
		t.Fatalf("the key leaks:\n%s", all)
	}
}

// TestLeakDeactivate: Deactivate never redacted: a 400 or 409 that echoes the key put it in
// the error and in the INFO line that says the cache was dropped.
func TestLeakDeactivate(t *testing.T) {
	t.Parallel()
	for _, f := range []licensingtest.Fault{
		{Status: 400, Code: "REVOKED_LICENSE", Message: "license " + leakKey + " is revoked"},
		{Status: 409, Code: "DEACTIVATION_LIMIT_REACHED", Message: "no deactivations left for " + leakKey},
	} {
		t.Run(strconv.Itoa(f.Status), func(t *testing.T) {
			t.Parallel()
			e, logs := leakEnv(t, nil)
			if _, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: leakKey}); err != nil {
				t.Fatal(err)
			}
			e.srv.Inject(f)
			err := e.client.Deactivate(ctx)
			if err == nil {
				t.Fatal("no error")
			}
			if all := printedErr(err) + logs.String(); holds(all, leakKey) {
				t.Fatalf("the key leaks:\n%s", all)
			}
		})
	}
}

// echoTransport answers every request that reaches it with an error that echoes the license key
// as a careless or hostile server might: lowercased in the message, uppercased in the code, as
// is in reasonPhrase and in headers the error keeps.
type echoTransport struct {
	status int
	key    string
}

func (t echoTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	body, _ := json.Marshal(map[string]string{
		"code":         "E_" + strings.ToUpper(t.key),
		"message":      "license " + strings.ToLower(t.key) + " refused",
		"reasonPhrase": "Bad key " + t.key,
	})
	h := http.Header{"Content-Type": {"application/json"}, "X-Echo-Key": {t.key}, "X-Request-Id": {"req-" + t.key}}
	if t.status == http.StatusTooManyRequests {
		h.Set("Retry-After", "3600")
	}
	return &http.Response{StatusCode: t.status, Status: strconv.Itoa(t.status) + " " + t.key, Header: h,
		Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: r, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}, nil
}

// TestLeakOtherCaseReasonPhraseHeaders: only the message was redacted, and only in the case the
// key was sent in: a key echoed lowercased, in reasonPhrase or in a header the error keeps got
// through.
func TestLeakOtherCaseReasonPhraseHeaders(t *testing.T) {
	t.Parallel()
	for _, status := range []int{400, 404, 409, 429, 500} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			t.Parallel()
			e, logs := leakEnv(t, &http.Client{Transport: echoTransport{status: status, key: leakKey}})
			_, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: leakKey})
			var apiErr *licensing.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("no *APIError in %v", err)
			}
			all := printedErr(err) + fmt.Sprintf("%#v %+v", *apiErr, apiErr.Header) + apiErr.Code + apiErr.Message +
				apiErr.ReasonPhrase + apiErr.RequestID + logs.String()
			if holds(all, leakKey) {
				t.Fatalf("the key leaks:\n%s", all)
			}
		})
	}
}

// TestLeakPrintedActivation: json.Marshal(act) printed Token; %+v and slog of act.Claims
// printed the license key and the raw payload.
func TestLeakPrintedActivation(t *testing.T) {
	t.Parallel()
	e, _ := leakEnv(t, nil)
	act, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: leakKey})
	if err != nil {
		t.Fatal(err)
	}
	raw := act.Token.Reveal()
	payload := strings.Split(raw, ".")[1]
	var out bytes.Buffer
	j, err := json.Marshal(act)
	if err != nil {
		t.Fatal(err)
	}
	out.Write(j)
	jc, err := json.Marshal(act.Claims)
	if err != nil {
		t.Fatal(err)
	}
	out.Write(jc)
	for _, v := range []any{act.Claims, *act.Claims, act, *act} {
		out.WriteString(everyVerb(v))
	}
	for _, h := range []slog.Handler{slog.NewTextHandler(&out, nil), slog.NewJSONHandler(&out, nil)} {
		slog.New(h).Info("x", slog.Any("claims", act.Claims), slog.Any("claimsv", *act.Claims), "act", act, "actv", *act)
	}
	for _, secret := range []string{leakKey, raw, payload[:40], raw[len(raw)-40:]} {
		if holds(out.String(), secret) {
			t.Fatalf("printed %q:\n%s", secret, out.String())
		}
	}
	// The data stays reachable through explicit accessors.
	if !act.Claims.Key.Equal(leakKey) || act.Token.IsZero() || act.Claims.ActivationID != act.ID {
		t.Fatal("the fields lost the data")
	}
	if !json.Valid(j) || !bytes.Contains(j, []byte(act.ID)) || !bytes.Contains(jc, []byte(act.ID)) {
		t.Fatalf("the JSON must keep the facts: %s %s", j, jc)
	}
}

// TestLeakActivationRequestCredentials: an ActivationRequest carrying a named user's e-mail and
// password (plain strings, as API.md keeps inputs) prints neither, nor the key, with any fmt
// verb, slog's handlers or encoding/json.
func TestLeakActivationRequestCredentials(t *testing.T) {
	t.Parallel()
	const key, email, password = "LeakReq-KEY-7e1d", "leak.user@example.com", "Leak-Password-93f2"
	r := licensing.ActivationRequest{Key: key, Email: email, Password: password, AppVersion: "1.0"}
	var out bytes.Buffer
	for _, v := range []any{r, &r} {
		out.WriteString(everyVerb(v))
		for _, h := range []slog.Handler{slog.NewTextHandler(&out, nil), slog.NewJSONHandler(&out, nil)} {
			slog.New(h).Info("x", "req", v)
		}
		j, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out.Write(j)
	}
	for _, s := range []string{key, email, password} {
		if holds(out.String(), s) {
			t.Fatalf("printed %q:\n%s", s, out.String())
		}
	}
	if !strings.Contains(out.String(), "1.0") {
		t.Fatalf("printed nothing of the request:\n%s", out.String())
	}
}
