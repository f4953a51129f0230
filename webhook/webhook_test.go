package webhook

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

const secret = "whsec-test"

func pageExample(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/activation-updated.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestVerify(t *testing.T) {
	t.Parallel()
	body := []byte(`{"event":"activation.updated"}`)
	good := Sign(body, secret)
	if len(good) != 44 {
		t.Fatalf("signature %q is not 44 base64 characters", good)
	}
	if err := Verify(body, good, secret); err != nil {
		t.Fatal(err)
	}
	if err := Verify(body, " "+good+"\n", secret); err != nil {
		t.Fatal("surrounding white space")
	}
	for name, tc := range map[string]struct {
		body     []byte
		sig, sec string
	}{
		"missing":      {body, "", secret},
		"wrong secret": {body, good, "other"},
		"empty secret": {body, Sign(body, ""), ""},
		"body changed": {append([]byte(nil), append(body, ' ')...), good, secret},
		"truncated":    {body, good[:40], secret},
		"not base64":   {body, "!!!!", secret},
		"hex instead":  {body, "deadbeef", secret},
	} {
		if err := Verify(tc.body, tc.sig, tc.sec); !errors.Is(err, ErrInvalidSignature) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestParsePageExample(t *testing.T) {
	t.Parallel()
	e, err := Parse(pageExample(t))
	if err != nil {
		t.Fatal(err)
	}
	a := e.Activation
	if e.Type != EventActivationUpdated || e.TriggeredAt != "string" || a == nil {
		t.Fatalf("event %+v", e)
	}
	if a.ID != "string" || a.CreatedAt.Year() != 2019 || a.OS != "windows" || !a.Container || !a.Offline ||
		a.Location == nil || a.Location.Latitude != 0.1 || a.ExpiresAt.IsZero() || len(a.MeterAttributes) != 1 ||
		a.Organization == nil || a.Organization.Address == nil || a.Organization.Reseller == nil ||
		a.Organization.Reseller.AllowedOrganizations != 0 || a.User == nil || !a.User.TwoFactorEnabled ||
		len(a.User.Roles) != 1 || a.User.Organization == nil || len(a.User.Metadata) != 1 ||
		a.User.Metadata[0].ViewPermissions[0] != "activation" || a.User.EmailPreference == nil ||
		len(a.Metadata) != 1 || a.Metadata[0].Key != "string" {
		t.Fatalf("activation %+v", a)
	}
}

func TestParseTolerance(t *testing.T) {
	t.Parallel()
	e, err := Parse([]byte(`{"event":"activation.updated","data":{"id":"a","location":null,"user":null,
		"organization":null,"expiresAt":null,"createdAt":"","leaseExpiresAt":"not a time","meterAttributes":null,
		"metadata":null,"container":null,"newField":{"x":1}},"triggeredAt":null}`))
	if err != nil {
		t.Fatal(err)
	}
	if e.Activation.ID != "a" || e.Activation.Location != nil || !e.Activation.CreatedAt.IsZero() || !e.Activation.LeaseExpiresAt.IsZero() {
		t.Fatalf("%+v", e.Activation)
	}
	u, err := Parse([]byte(`{"event":"license.created","data":{"id":"l1","key":"x"}}`))
	if err != nil || u.Type != "license.created" || u.Activation != nil || !bytes.Contains(u.Data, []byte(`"l1"`)) {
		t.Fatalf("unknown event: %+v %v", u, err)
	}
	for _, bad := range []string{``, `[]`, `{}`, `{"event":""}`, `{"event":5}`, `{"event":"activation.updated","data":{"id":5}}`, `not json`} {
		if _, err := Parse([]byte(bad)); !errors.Is(err, ErrInvalidEvent) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestHandler(t *testing.T) {
	t.Parallel()
	body := pageExample(t)
	var got []*Event
	body = bytes.Replace(body, []byte(`"triggeredAt": "string"`), []byte(`"triggeredAt": "`+time.Now().UTC().Format(time.RFC3339)+`"`), 1)
	h := Handler(secret, func(ctx context.Context, e *Event) error {
		if e.Activation != nil && e.Activation.Hostname == "fail" {
			return errors.New("downstream failed")
		}
		got = append(got, e)
		return nil
	})
	failing := bytes.Replace(body, []byte(`"hostname": "string"`), []byte(`"hostname": "fail"`), 1)
	for _, tc := range []struct {
		name   string
		method string
		body   []byte
		sig    string
		want   int
	}{
		{"ok", "POST", body, Sign(body, secret), http.StatusNoContent},
		{"GET", "GET", nil, "", http.StatusMethodNotAllowed},
		{"no signature", "POST", body, "", http.StatusUnauthorized},
		{"bad signature", "POST", body, Sign(body, "other"), http.StatusUnauthorized},
		{"too large", "POST", bytes.Repeat([]byte("x"), MaxBodySize+1), "", http.StatusRequestEntityTooLarge},
		{"not an event", "POST", []byte(`{}`), Sign([]byte(`{}`), secret), http.StatusBadRequest},
		{"handler fails", "POST", failing, Sign(failing, secret), http.StatusInternalServerError},
	} {
		req := httptest.NewRequest(tc.method, "/hook", bytes.NewReader(tc.body))
		if tc.sig != "" {
			req.Header.Set(SignatureHeader, tc.sig)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, rec.Code, tc.want)
		}
	}
	if len(got) != 1 || got[0].Activation.OS != "windows" {
		t.Fatalf("fn saw %d events", len(got))
	}
}

// FuzzParse: any body parses or fails with ErrInvalidEvent, never a panic.
func FuzzParse(f *testing.F) {
	f.Add(pageExample(f))
	f.Add([]byte(`{"event":"x","data":null}`))
	f.Add([]byte(`{"event":"activation.updated","data":{"createdAt":5}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		e, err := Parse(body)
		if err != nil {
			if !errors.Is(err, ErrInvalidEvent) {
				t.Fatalf("error outside the category: %v", err)
			}
			return
		}
		if e.Type == "" {
			t.Fatal("an event without a type")
		}
	})
}

// FuzzVerify: only the exact signature of the exact body verifies.
func FuzzVerify(f *testing.F) {
	f.Add([]byte("body"), Sign([]byte("body"), secret))
	f.Add([]byte(""), "")
	f.Add([]byte("x"), strings.Repeat("A", 44))
	f.Fuzz(func(t *testing.T, body []byte, sig string) {
		err := Verify(body, sig, secret)
		// The decoder ignores line breaks inside base64, so compare without them.
		bare := strings.NewReplacer("\r", "", "\n", "").Replace(strings.TrimSpace(sig))
		if err == nil && bare != Sign(body, secret) {
			t.Fatalf("accepted a signature that is not the body's: %q", sig)
		}
		if err != nil && sig == Sign(body, secret) {
			t.Fatal("refused the body's own signature")
		}
	})
}
