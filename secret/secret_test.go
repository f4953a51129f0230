package secret_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/secret"
)

const text = "7D4A1C-0B2E9F-61C3A8-E5D047"

// holder is an app's struct that keeps a secret in an unexported field, where fmt and slog
// call no method and print by reflection.
type holder struct {
	Name   string
	hidden secret.Value
	nested struct{ v secret.Value }
	Shown  secret.Value
}

func TestValueNeverPrints(t *testing.T) {
	h := holder{Name: "app", hidden: secret.New(text), Shown: secret.New(text)}
	h.nested.v = secret.New(text)
	v := secret.New(text)
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T"} {
		outs = append(outs, fmt.Sprintf(verb, v), fmt.Sprintf(verb, h), fmt.Sprintf(verb, &h))
	}
	for _, mk := range []func(*bytes.Buffer) slog.Handler{
		func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		var buf bytes.Buffer
		slog.New(mk(&buf)).Info("m", "v", v, "h", h, "p", &h)
		outs = append(outs, buf.String())
	}
	j, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	outs = append(outs, string(j))
	for _, out := range outs {
		if strings.Contains(out, text) || strings.Contains(out, fmt.Sprintf("%x", text)) || strings.Contains(out, "7D4A") {
			t.Errorf("printed the secret: %s", out)
		}
	}
	if got := fmt.Sprintf("%+v", h); !strings.Contains(got, "Name:app") || !strings.Contains(got, "Shown:"+secret.Redacted) {
		t.Errorf("%%+v lost the other fields: %s", got)
	}
	if string(j) != `{"Name":"app","Shown":"[redacted]"}` {
		t.Errorf("json = %s", j)
	}
}

func TestValueReveal(t *testing.T) {
	v := secret.New(text)
	if v.Reveal() != text || v.IsZero() || !v.Equal(text) || v.Equal(text+"x") {
		t.Fatalf("Reveal/IsZero/Equal wrong for a set value")
	}
	var z secret.Value
	if z.Reveal() != "" || !z.IsZero() || z.String() != "" || !secret.New("").IsZero() {
		t.Fatalf("zero value wrong")
	}
	if fmt.Sprint(v) != secret.Redacted {
		t.Fatalf("Sprint = %q", fmt.Sprint(v))
	}
}
