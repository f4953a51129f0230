package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/examples/internal/demo"
	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/store"
)

// TestMeteredUsageRuns: 1 + 2 + 5 uses, one answer lost after the server counted it, end at
// exactly 8: none lost, none counted twice.
func TestMeteredUsageRuns(t *testing.T) {
	t.Setenv("TOLLGATE_API_URL", "")
	var code int
	out, err := demo.CaptureStdout(func() { code = run() })
	if err != nil {
		t.Fatal(err)
	}
	if code != 0 {
		t.Fatalf("exit code %d:\n%s", code, out)
	}
	if !strings.Contains(out, "nothing to resend") || !strings.HasSuffix(out, "recorded 5 exports; this machine has used 8\n") {
		t.Fatalf("output:\n%s", out)
	}
}

// twice forwards the request carrying increments, then the same request again (another
// instance of the app metering the same activation meanwhile), and reports the answer lost.
type twice struct {
	base http.RoundTripper
	done bool
}

func (tw *twice) RoundTrip(r *http.Request) (*http.Response, error) {
	if tw.done || r.Body == nil {
		return tw.base.RoundTrip(r)
	}
	b, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil || !bytes.Contains(b, []byte(`"usesIncrement":`)) || bytes.Contains(b, []byte(`"usesIncrement":0`)) {
		r.Body = io.NopCloser(bytes.NewReader(b))
		return tw.base.RoundTrip(r)
	}
	tw.done = true
	for range 2 {
		c := r.Clone(r.Context())
		c.Body = io.NopCloser(bytes.NewReader(b))
		resp, err := tw.base.RoundTrip(c)
		if err != nil {
			return nil, err
		}
		resp.Body.Close()
	}
	return nil, errors.New("connection reset by peer")
}

// TestRecordStillUnknownIsNotResent: when the counts fit neither outcome (another instance
// metered meanwhile), record does not send the increment again.
func TestRecordStillUnknownIsNotResent(t *testing.T) {
	t.Setenv("TOLLGATE_API_URL", "")
	s, err := demo.Load(demo.DefaultLicense())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	hc := &http.Client{Transport: &twice{base: http.DefaultTransport}}
	client, err := licensing.New(licensing.Config{ProductID: s.ProductID, PublicKey: s.PublicKey, BaseURL: s.APIURL,
		Store: store.NewMemory(), HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	defer client.CloseIdleConnections()
	ctx := context.Background()
	last, err := client.UpdateActivation(ctx, s.ActivationID, licensing.Update{Key: s.LicenseKey})
	if err != nil {
		t.Fatal(err)
	}
	var act *licensing.Activation
	out, cerr := demo.CaptureStdout(func() { act, err = record(ctx, client, 3, last) })
	if cerr != nil {
		t.Fatal(cerr)
	}
	if !errors.Is(err, licensing.ErrOutcomeUnknown) || act == nil {
		t.Fatalf("record: %v, %v\n%s", act, err, out)
	}
	if got := s.Fake.MeterUses(s.LicenseKey, meter); got != 6 {
		t.Fatalf("the server counted %d uses, want 6 (ours and the other instance's, none resent)\n%s", got, out)
	}
	if strings.Contains(out, "sending again") {
		t.Fatalf("resent:\n%s", out)
	}
}
