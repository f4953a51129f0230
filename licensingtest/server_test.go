package licensingtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/testhome"
	"github.com/tollgate-dev/tollgate/token"
	"github.com/tollgate-dev/tollgate/webhook"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(testhome.M(m)) }

var (
	keyOnce sync.Once
	testKey *rsa.PrivateKey
)

func newServer(t *testing.T, opts ...Option) *Server {
	t.Helper()
	keyOnce.Do(func() { testKey, _ = rsa.GenerateKey(rand.Reader, 2048) })
	s := NewServer(append([]Option{WithSigningKey(testKey)}, opts...)...)
	t.Cleanup(s.Close)
	return s
}

var fp = strings.Repeat("ab", 32)

func updateBody(s *Server, key string, extra map[string]any) []byte {
	m := map[string]any{"os": "linux", "fingerprint": fp, "hostname": "h", "userHash": "u",
		"productId": s.ProductID, "accountId": "", "key": key}
	for k, v := range extra {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	b, _ := json.Marshal(m)
	return b
}

func do(t *testing.T, s *Server, method, path string, body []byte) (int, map[string]string) {
	t.Helper()
	req, _ := http.NewRequest(method, s.URL+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.Client().Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]string
	_ = json.Unmarshal(b, &out)
	return resp.StatusCode, out
}

func TestStrictUpdate(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	key := s.AddLicense(License{})
	id := s.AddActivation(key)
	for _, tc := range []struct {
		name  string
		extra map[string]any
		code  string
	}{
		{"unknown field", map[string]any{"appName": "x"}, "VALIDATION_FAILED"},
		{"missing key", map[string]any{"key": nil}, "VALIDATION_FAILED"},
		{"missing accountId", map[string]any{"accountId": nil}, "VALIDATION_FAILED"},
		{"bad os", map[string]any{"os": "darwin"}, "VALIDATION_FAILED"},
		{"short fingerprint", map[string]any{"fingerprint": "abc"}, "VALIDATION_FAILED"},
		{"bad release", map[string]any{"releaseVersion": "v1.2"}, "VALIDATION_FAILED"},
		{"container as string", map[string]any{"container": "true"}, "VALIDATION_FAILED"},
		{"lease -2", map[string]any{"leaseDuration": -2}, "VALIDATION_FAILED"},
		{"wrong product", map[string]any{"productId": "other"}, "INVALID_PRODUCT_ID"},
		{"unknown key", map[string]any{"key": "nope"}, "INVALID_LICENSE_KEY"},
		{"unknown meter", map[string]any{"meterAttributes": []map[string]any{{"name": "x", "usesIncrement": 1}}}, "INVALID_METER_ATTRIBUTE"},
	} {
		st, body := do(t, s, "PATCH", "/v3/activations/"+id, updateBody(s, key, tc.extra))
		if st != 400 || body["code"] != tc.code || body["message"] == "" {
			t.Errorf("%s: %d %v, want 400 %s", tc.name, st, body, tc.code)
		}
	}
	if a, _ := s.Activation(id); a.Updates != 0 {
		t.Fatal("a refused request changed the activation")
	}
	if st, body := do(t, s, "PATCH", "/v3/activations/nope", updateBody(s, key, nil)); st != 404 || body["code"] == "" {
		t.Errorf("unknown id: %d %v", st, body)
	}
	if st, _ := do(t, s, "PATCH", "/v3/activations/"+id, updateBody(s, key, nil)); st != 200 {
		t.Fatalf("valid update: %d", st)
	}
	other := strings.Repeat("cd", 32)
	if st, body := do(t, s, "PATCH", "/v3/activations/"+id, updateBody(s, key, map[string]any{"fingerprint": other})); st != 400 || body["code"] != "INVALID_ACTIVATION_FINGERPRINT" {
		t.Errorf("other machine: %d %v", st, body)
	}
	if n := len(s.Requests()); n != 14 {
		t.Errorf("recorded %d requests", n)
	}
}

func TestMetersAccumulateAndLimit(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	key := s.AddLicense(License{Meters: map[string]int64{"m": 5}})
	id := s.AddActivation(key)
	inc := func(n int) int {
		st, _ := do(t, s, "PATCH", "/v3/activations/"+id, updateBody(s, key, map[string]any{
			"meterAttributes": []map[string]any{{"name": "m", "usesIncrement": n}}}))
		return st
	}
	if inc(3) != 200 || inc(2) != 200 || inc(1) != 400 || inc(-4) != 200 || inc(-9) != 200 {
		t.Fatal("meter statuses")
	}
	if u := s.MeterUses(key, "m"); u != 0 {
		t.Fatalf("uses %d, want 0 (clamped)", u)
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	key := s.AddLicense(License{})
	id := s.AddActivation(key)
	body := updateBody(s, key, nil)

	s.FailNext(2, 503, "7")
	for i := 0; i < 2; i++ {
		if st, b := do(t, s, "PATCH", "/v3/activations/"+id, body); st != 503 || b["code"] == "" {
			t.Fatalf("fault %d: %d %v", i, st, b)
		}
	}
	s.Inject(Fault{Drop: DropBeforeApply})
	if st, _ := do(t, s, "PATCH", "/v3/activations/"+id, body); st != 0 {
		t.Fatalf("drop before: got an answer %d", st)
	}
	if a, _ := s.Activation(id); a.Updates != 0 {
		t.Fatal("drop before apply applied")
	}
	s.Inject(Fault{Drop: DropAfterApply})
	if st, _ := do(t, s, "PATCH", "/v3/activations/"+id, body); st != 0 {
		t.Fatalf("drop after: got an answer %d", st)
	}
	if a, _ := s.Activation(id); a.Updates != 1 {
		t.Fatal("drop after apply did not apply")
	}
	s.Inject(Fault{Body: []byte(`{"activationTok`)})
	if st, _ := do(t, s, "PATCH", "/v3/activations/"+id, body); st != 200 {
		t.Fatal("garbage")
	}
	s.Inject(Fault{Delay: 50 * time.Millisecond})
	start := time.Now()
	if st, _ := do(t, s, "PATCH", "/v3/activations/"+id, body); st != 200 || time.Since(start) < 50*time.Millisecond {
		t.Fatal("delay")
	}
	if s.PendingFaults() != 0 {
		t.Fatal("faults left")
	}
}

func TestTokensVerify(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	key := s.AddLicense(License{ExpiresAt: time.Now().Add(time.Hour), ServerSyncInterval: time.Minute,
		GracePeriod: time.Hour, Metadata: map[string]string{"Tier": "pro"}})
	id := s.AddActivation(key)
	st, b := do(t, s, "PATCH", "/v3/activations/"+id, updateBody(s, key, nil))
	if st != 200 {
		t.Fatal(st)
	}
	pub, err := token.ParsePublicKey(s.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := token.NewVerifier(pub, s.ProductID)
	c, err := v.Verify(b["activationToken"], token.Binding{LicenseKey: key, Fingerprint: fp})
	if err != nil {
		t.Fatal(err)
	}
	if c.ActivationID != id || c.ServerSyncInterval != time.Minute || c.GracePeriodExpiresAt.IsZero() ||
		c.AllowedClockOffset != 5*time.Minute || c.Type != "node-locked" {
		t.Fatalf("claims %+v", c)
	}
	if tier, _ := c.LicenseMetadata.Get("tier"); tier != "pro" {
		t.Fatal("metadata")
	}
	if err := token.CheckTime(c, time.Now()); err != nil {
		t.Fatal(err)
	}
}

func TestWebhookDelivery(t *testing.T) {
	t.Parallel()
	got := make(chan *webhook.Event, 1)
	recv := httptest.NewServer(webhook.Handler("sec", func(_ context.Context, e *webhook.Event) error {
		got <- e
		return nil
	}))
	defer recv.Close()
	s := newServer(t, WithWebhook(recv.URL, "sec"))
	key := s.AddLicense(License{Meters: map[string]int64{"m": 10}})
	id := s.AddActivation(key)
	if st, _ := do(t, s, "PATCH", "/v3/activations/"+id, updateBody(s, key, map[string]any{
		"meterAttributes": []map[string]any{{"name": "m", "usesIncrement": 4}}})); st != 200 {
		t.Fatal(st)
	}
	select {
	case e := <-got:
		if e.Type != "activation.updated" || e.Activation.ID != id || e.Activation.MeterAttributes[0].Uses != 4 {
			t.Fatalf("%+v", e.Activation)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no webhook")
	}
	if st, err := s.SendWebhook(context.Background(), recv.URL, "wrong", id); err != nil || st != 401 {
		t.Fatalf("a wrongly signed webhook: %d %v", st, err)
	}
	if len(got) != 0 {
		t.Fatal("a wrongly signed webhook reached the handler")
	}
}
