package transport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// TestRequestAndResponseDoNotPrint: a Request's body and secrets and a Response's body (the
// token) print through no fmt verb, slog handler or encoding/json.
func TestRequestAndResponseDoNotPrint(t *testing.T) {
	const secret = "PRINT-SECRET-42"
	req := Request{Method: "PATCH", Path: "/v3/activations/a", Body: []byte(`{"key":"` + secret + `"}`), Secrets: []string{secret}}
	resp := Response{StatusCode: 200, Body: []byte(`{"activationToken":"` + secret + `"}`)}
	for _, v := range []any{req, &req, resp, &resp} {
		var out bytes.Buffer
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
			fmt.Fprintf(&out, verb+"\n", v)
		}
		slog.New(slog.NewJSONHandler(&out, nil)).Info("m", "v", v)
		slog.New(slog.NewTextHandler(&out, nil)).Info("m", "v", v)
		j, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out.Write(j)
		if strings.Contains(out.String(), secret) || strings.Contains(out.String(), fmt.Sprintf("%x", secret)) {
			t.Fatalf("%T prints the secret:\n%s", v, out.String())
		}
	}
}
