package webhook_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/licensingtest"
	"github.com/tollgate-dev/tollgate/webhook"
)

func ExampleVerify() {
	body := []byte(`{"event":"activation.updated","data":{"id":"act-1","hostname":"build-7"}}`)
	signature := webhook.Sign(body, "my-secret") // what the server sends in Webhook-Signature

	fmt.Println(webhook.Verify(body, signature, "my-secret"))
	fmt.Println(webhook.Verify(body, signature, "another-secret"))
	// Output:
	// <nil>
	// webhook: invalid signature
}

func ExampleHandler() {
	h := webhook.Handler("my-secret", func(ctx context.Context, e *webhook.Event) error {
		if e.Type == webhook.EventActivationUpdated {
			fmt.Println("activation", e.Activation.ID, "synced from", e.Activation.Hostname)
		}
		return nil
	})
	body := `{"event":"activation.updated","data":{"id":"act-1","hostname":"build-7","location":null},` +
		`"triggeredAt":"` + time.Now().UTC().Format(time.RFC3339) + `"}`
	req := httptest.NewRequest(http.MethodPost, "/webhooks/cryptlex", strings.NewReader(body))
	req.Header.Set(webhook.SignatureHeader, webhook.Sign([]byte(body), "my-secret"))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Code)
	// Output:
	// activation act-1 synced from build-7
	// 204
}

// A vendor's backend, tested end to end: the fake activation server posts a signed
// activation.updated event, as the real server does after each sync.
func ExampleHandler_withLicensingtest() {
	received := make(chan *webhook.Event, 1)
	backend := httptest.NewServer(webhook.Handler("whsec", func(ctx context.Context, e *webhook.Event) error {
		received <- e
		return nil
	}))
	defer backend.Close()

	srv := licensingtest.NewServer()
	defer srv.Close()
	id := srv.AddActivation(srv.AddLicense(licensingtest.License{Meters: map[string]int64{"exports": 10}}))

	status, err := srv.SendWebhook(context.Background(), backend.URL, "whsec", id)
	if err != nil {
		panic(err)
	}
	e := <-received
	fmt.Println(status, e.Type, e.Activation.ProductID, len(e.Activation.MeterAttributes))
	status, _ = srv.SendWebhook(context.Background(), backend.URL, "wrong secret", id)
	fmt.Println(status)
	// Output:
	// 204 activation.updated prod-test 1
	// 401
}
