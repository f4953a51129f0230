package token

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestSecretHoldersDoNotPrint: Claims and Binding print neither the license key nor the
// token nor the payload, by value or by pointer, with any fmt verb, slog handler or
// encoding/json, while their fields keep the data.
func TestSecretHoldersDoNotPrint(t *testing.T) {
	const key, tok, payload = "PRINT-Key-77aa", "hdr.PAYLOAD-SEGMENT.SIGNATURE-SEGMENT", "PAYLOAD-SEGMENT"
	c := Claims{ActivationID: "act-1", ProductID: "p", LicenseID: "l", Key: key, Type: "node-locked",
		ExpiresAt: time.Unix(2e9, 0), payload: payload}
	b := Binding{LicenseKey: key, Fingerprint: "fp"}
	for _, v := range []any{c, &c, b, &b} {
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
		t.Fatalf("String lost the activation: %s", got)
	}
}
