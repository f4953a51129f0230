package token

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/secret"
)

// appHolder is an app's struct that keeps Claims in an unexported field, where fmt and slog
// call no method and print it by reflection. (A Binding is an input whose LicenseKey is a plain
// string, as licensing's Update.Key is: its print methods cover it when it is printed itself,
// not through an unexported field.)
type appHolder struct {
	Name string
	c    Claims
}

// TestSecretHoldersDoNotPrint: Claims and Binding print neither the license key nor the
// token nor the payload, by value or by pointer, or held by an app's struct in an unexported
// field, with any fmt verb, slog handler or encoding/json, while their fields keep the data.
func TestSecretHoldersDoNotPrint(t *testing.T) {
	const key, tok, payload = "PRINT-Key-77aa", "hdr.PAYLOAD-SEGMENT.SIGNATURE-SEGMENT", "PAYLOAD-SEGMENT"
	c := Claims{ActivationID: "act-1", ProductID: "p", LicenseID: "l", Key: secret.New(key), Type: "node-locked",
		ExpiresAt: time.Unix(2e9, 0), payload: secret.New(payload)}
	b := Binding{LicenseKey: key, Fingerprint: "fp"}
	h := appHolder{Name: "app", c: c}
	for _, v := range []any{c, &c, b, &b, h, &h} {
		var out bytes.Buffer
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d", "%t"} {
			fmt.Fprintf(&out, verb+"\n", v)
		}
		for _, h := range []slog.Handler{slog.NewTextHandler(&out, nil), slog.NewJSONHandler(&out, nil)} {
			slog.New(h).Info("m", "v", v)
		}
		j, err := json.Marshal(v)
		if err != nil || !json.Valid(j) {
			t.Fatalf("%T: %v", v, err)
		}
		out.Write(j)
		for _, secret := range []string{key, strings.ToLower(key), "PAYLOAD-SEGMENT", "SIGNATURE-SEGMENT"} {
			if strings.Contains(out.String(), secret) {
				t.Fatalf("%T prints %q:\n%s", v, secret, out.String())
			}
		}
	}
	var cj map[string]any
	j, _ := json.Marshal(c)
	if json.Unmarshal(j, &cj) != nil || cj["ActivationID"] != "act-1" || cj["Type"] != "node-locked" {
		t.Fatalf("the claims' JSON lost its facts: %s", j)
	}
	if got := fmt.Sprint(c); !strings.Contains(got, "act-1") {
		t.Fatalf("printing lost the activation: %s", got)
	}
	// With no print methods of its own, Claims shows its other fields under %+v.
	if got := fmt.Sprintf("%+v", c); !strings.Contains(got, "ActivationID:act-1") || !strings.Contains(got, "Type:node-locked") ||
		!strings.Contains(got, "Key:"+secret.Redacted) {
		t.Fatalf("%%+v lost the facts: %s", got)
	}
	if c.Key.Reveal() != key || c.payload.Reveal() != payload {
		t.Fatal("the fields lost the data")
	}
}
