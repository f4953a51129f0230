package licensing_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
	"github.com/tollgate-dev/tollgate/secret"
	"github.com/tollgate-dev/tollgate/token"
)

// appKey is the license key of TestAppStructPrintsNoSecret.
const appKey = "AppStruct-KEY-3c9d1e7f-Tollgate"

// The structs an app might keep its license state in, the SDK's values in unexported fields:
// fmt and slog call no method on such a field and print it by reflection, so the SDK's types
// must be safe field by field (issue 21).
type (
	appByValue struct {
		Title string
		act   licensing.Activation
	}
	appByPointer struct {
		Title string
		act   *licensing.Activation
	}
	appClaims struct {
		Title  string
		claims token.Claims
	}
)

// TestAppStructPrintsNoSecret: an app's struct holding an Activation by value, an *Activation,
// or token.Claims by value in an unexported field, printed with every fmt verb, slog's text and
// JSON handlers and encoding/json, shows neither the license key, nor the token, nor its payload
// or signature segment. It fails with Activation.Token, Claims.Key or Claims' payload a plain
// string.
func TestAppStructPrintsNoSecret(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{Key: appKey})
	act, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: appKey})
	if err != nil {
		t.Fatal(err)
	}
	raw := act.Token.Reveal()
	parts := strings.Split(raw, ".")
	if len(parts) != 3 || act.Claims == nil || !act.Claims.Key.Equal(appKey) {
		t.Fatalf("not an activated token: %d segments, claims %v", len(parts), act.Claims)
	}
	payload, sig := parts[1], parts[2]
	secrets := []string{appKey, raw, payload, payload[:40], payload[len(payload)-40:], sig[:40]}

	holders := []any{
		appByValue{Title: "app", act: *act}, &appByValue{Title: "app", act: *act},
		appByPointer{Title: "app", act: act}, &appByPointer{Title: "app", act: act},
		appClaims{Title: "app", claims: *act.Claims}, &appClaims{Title: "app", claims: *act.Claims},
	}
	for _, h := range holders {
		var out bytes.Buffer
		out.WriteString(everyVerb(h))
		for _, hd := range []slog.Handler{slog.NewTextHandler(&out, nil), slog.NewJSONHandler(&out, nil)} {
			slog.New(hd).Info("state", "app", h)
		}
		j, err := json.Marshal(h)
		if err != nil {
			t.Fatalf("%T: %v", h, err)
		}
		out.Write(j)
		for _, s := range secrets {
			if holds(out.String(), s) {
				t.Fatalf("%T printed %.20q…:\n%s", h, s, out.String())
			}
		}
		if !strings.Contains(out.String(), "app") {
			t.Fatalf("%T printed nothing of the app's struct:\n%s", h, out.String())
		}
	}

	// The same checks on the values themselves, which now print their fields.
	var out bytes.Buffer
	for _, v := range []any{act, *act, act.Claims, *act.Claims} {
		out.WriteString(everyVerb(v))
		for _, hd := range []slog.Handler{slog.NewTextHandler(&out, nil), slog.NewJSONHandler(&out, nil)} {
			slog.New(hd).Info("state", "v", v)
		}
		j, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("%T: %v", v, err)
		}
		out.Write(j)
	}
	for _, s := range secrets {
		if holds(out.String(), s) {
			t.Fatalf("printed %.20q…:\n%s", s, out.String())
		}
	}

	// With no print methods of its own, an Activation's %+v shows its fields again, the token as
	// [redacted]; so does the by-value struct of the app.
	for _, got := range []string{fmt.Sprintf("%+v", *act), fmt.Sprintf("%+v", act),
		fmt.Sprintf("%+v", appByValue{Title: "app", act: *act})} {
		for _, want := range []string{"ID:" + act.ID, "ProductID:" + act.ProductID, "LicenseID:" + act.LicenseID,
			"Fingerprint:" + act.Fingerprint, "Token:"} {
			if !strings.Contains(got, want) {
				t.Errorf("%%+v lacks %q: %s", want, got)
			}
		}
	}
	if got := fmt.Sprintf("%+v", *act); !strings.Contains(got, "Token:"+secret.Redacted) {
		t.Errorf("%%+v of an Activation must show Token:%s: %s", secret.Redacted, got)
	}
	var fields struct {
		ID, Token string
		Claims    struct{ ActivationID, Key string }
	}
	j, err := json.Marshal(act)
	if err != nil || json.Unmarshal(j, &fields) != nil || fields.ID != act.ID || fields.Token != secret.Redacted ||
		fields.Claims.ActivationID != act.ID || fields.Claims.Key != secret.Redacted {
		t.Errorf("json of an Activation: %s", j)
	}
}

// appWithClient is an app's struct that keeps its *Client in an unexported field.
type appWithClient struct {
	Title  string
	client *licensing.Client
}

// TestAppStructPrintsClientWhileInUse: printing an app's struct that holds a *Client in an
// unexported field, with verbs fmt deems bad for a pointer (%s, %d, %x: fmt then prints the
// Client field by field without calling Format), while the client learns this machine's
// fingerprint on another goroutine, reads nothing that goroutine writes (go test -race reports
// it otherwise).
func TestAppStructPrintsClientWhileInUse(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{Key: appKey})
	if _, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: appKey}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	for range 20 {
		c := e.newClient(t, e.m, e.st)
		done := make(chan struct{})
		go func() {
			defer close(done)
			c.Validate(ctx)
		}()
		app := appWithClient{Title: "app", client: c}
		for _, verb := range []string{"%v", "%+v", "%s", "%d", "%x"} {
			fmt.Fprintf(&out, verb, app)
		}
		<-done
	}
	if strings.Contains(out.String(), appKey) {
		t.Fatal("the license key printed")
	}
}
