package licensing_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/fingerprint"
	"github.com/tollgate-dev/tollgate/internal/record"
	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
	"github.com/tollgate-dev/tollgate/store"
	"github.com/tollgate-dev/tollgate/token"
)

// benchEnv is an activated client whose token carries metadata and meters, as a real one does.
func benchEnv(b *testing.B) (*licensingtest.Server, *licensing.Client, string, string, string) {
	return benchEnvOf(b, false)
}

// benchLicense is the license of the benchmarks' tokens: the small one has a licensee, two
// license metadata and one meter; the rich one has three meters and every metadata list.
func benchLicense(rich bool) licensingtest.License {
	lic := licensingtest.License{Name: "Bench Customer", Email: "bench@example.com",
		ExpiresAt: time.Now().Add(365 * 24 * time.Hour), ServerSyncInterval: time.Hour, GracePeriod: 72 * time.Hour,
		Metadata: map[string]string{"tier": "pro", "seats": "5"}, Meters: map[string]int64{"exports": 1000}}
	if rich {
		lic.Company = "Bench Industries GmbH"
		lic.Meters = map[string]int64{"exports": 1000, "renders": 50000, "api-calls": 1000000}
		lic.ProductMetadata = map[string]string{"edition": "studio", "channel": "stable", "region": "eu"}
		lic.Metadata = map[string]string{"tier": "pro", "seats": "5", "support": "priority", "po": "PO-2026-0042"}
		lic.UserMetadata = map[string]string{"department": "Rendering", "cost-centre": "4711"}
	}
	return lic
}

// benchActivationMetadata is the amd of the rich token.
var benchActivationMetadata = []licensing.Metadata{{Key: "workstation", Value: "render-07"}, {Key: "site", Value: "Berlin"}}

func benchEnvOf(b *testing.B, rich bool) (*licensingtest.Server, *licensing.Client, string, string, string) {
	b.Helper()
	srv := licensingtest.NewServer(licensingtest.WithSigningKey(signingKey()))
	b.Cleanup(srv.Close)
	key := srv.AddLicense(benchLicense(rich))
	id := srv.AddActivation(key)
	m := machine("be")
	c := benchClient(b, srv, store.NewMemory(), m)
	u := licensing.Update{Key: key}
	if rich {
		u.Metadata = benchActivationMetadata
	}
	act, err := c.UpdateActivation(context.Background(), id, u)
	if err != nil {
		b.Fatal(err)
	}
	return srv, c, key, id, act.Token.Reveal()
}

func benchClient(b *testing.B, srv *licensingtest.Server, st store.Store, m fingerprint.Machine) *licensing.Client {
	c, err := licensing.New(licensing.Config{ProductID: srv.ProductID, PublicKey: srv.PublicKey, BaseURL: srv.URL,
		Store: st, Machine: &m})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.CloseIdleConnections)
	return c
}

// verifyFloor is the work no SDK can skip: one RSA-2048 PKCS #1 v1.5 verification of the
// token's signature.
func verifyFloor(b *testing.B, pub *rsa.PublicKey, tok string) {
	i := strings.LastIndexByte(tok, '.')
	sig, err := base64.RawURLEncoding.DecodeString(tok[i+1:])
	if err != nil {
		b.Fatal(err)
	}
	sum := sha256.Sum256([]byte(tok[:i]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkValidate and BenchmarkValidateFloor run side by side: their ratio is what a
// repeated Validate of an unchanged record costs against one signature check. The record was
// verified before, so Validate reads the store, checks the fingerprint binding, the clock and
// the time rules, and verifies nothing.
func BenchmarkValidate(b *testing.B) {
	_, c, _, _, _ := benchEnv(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Validate(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateFirst is Validate of a record the client has not verified before, as the
// first Validate at an app's start-up is: one RSA verification, the record's seal, and the
// decoding of every claim by encoding/json. One client reads a store that hands out two records
// of the same token in turn (their times differ by a second), so that each Validate misses the
// memo while the key and the token stay as warm as in the floor. Compare with
// BenchmarkValidateFloor, or see BenchmarkValidateFirstPair for both in one loop.
func BenchmarkValidateFirst(b *testing.B) { benchLoop(b, validateFirstOps(b, false).sdk) }

// pairOps are the two sides of a benchmark pair: the SDK's operation and its floor.
type pairOps struct{ sdk, floor func() }

// validateFirstOps is a first Validate (see BenchmarkValidateFirst) and its floor, one
// verification of the same token.
func validateFirstOps(b *testing.B, rich bool) pairOps {
	srv, _, key, _, tok := benchEnvOf(b, rich)
	m := machine("be")
	seal := record.SealKey(srv.ProductID, m.Fingerprint)
	now := time.Now()
	st := &alternatingStore{records: [2]string{
		record.Encode(record.Record{Token: tok, Key: key, LastSeen: now}, seal, now.UnixNano()),
		record.Encode(record.Record{Token: tok, Key: key, LastSeen: now.Add(-time.Second)}, seal, now.UnixNano()+1),
	}}
	c := benchClient(b, srv, st, m)
	pub, _ := token.ParsePublicKey(srv.PublicKey)
	ctx := context.Background()
	return pairOps{
		sdk: func() {
			if _, err := c.Validate(ctx); err != nil {
				b.Fatal(err)
			}
		},
		floor: func() { verifyFloor(b, pub, tok) },
	}
}

// benchLoop runs op b.N times.
func benchLoop(b *testing.B, op func()) {
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		op()
	}
}

// benchPair runs the two sides of a pair in turn, b.N times each, the order swapped at every
// iteration, and reports each side's mean time and their ratio: both meet the same load, the
// same caches and the same clock speed, which two benchmarks run one after the other do not.
func benchPair(b *testing.B, p pairOps) {
	var sdk, floor time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if i%2 == 0 {
			p.sdk()
			t1 := time.Now()
			p.floor()
			sdk, floor = sdk+t1.Sub(t0), floor+time.Since(t1)
		} else {
			p.floor()
			t1 := time.Now()
			p.sdk()
			floor, sdk = floor+t1.Sub(t0), sdk+time.Since(t1)
		}
	}
	b.ReportMetric(float64(sdk.Nanoseconds())/float64(b.N), "sdk-ns/op")
	b.ReportMetric(float64(floor.Nanoseconds())/float64(b.N), "floor-ns/op")
	b.ReportMetric(float64(sdk)/float64(floor), "ratio")
}

// alternatingStore returns its two records in turn and accepts no writes.
type alternatingStore struct {
	records [2]string
	n       atomic.Int64
}

func (s *alternatingStore) Load(context.Context, string) (string, error) {
	return s.records[s.n.Add(1)%2], nil
}
func (s *alternatingStore) Save(context.Context, string, string) error {
	return errors.New("read-only")
}
func (s *alternatingStore) Delete(context.Context, string) error { return errors.New("read-only") }

// BenchmarkValidateFloor is the floor of BenchmarkValidateFirst: one verification of the token.
func BenchmarkValidateFloor(b *testing.B) { benchLoop(b, validateFirstOps(b, false).floor) }

// BenchmarkValidateFirstRich is BenchmarkValidateFirst with a token of three meters and every
// metadata list; its floor is BenchmarkValidateFloorRich. (The benchmarks of this file are
// declared in the order bench.sh runs them: each SDK side just before its floor.)
func BenchmarkValidateFirstRich(b *testing.B) { benchLoop(b, validateFirstOps(b, true).sdk) }

// BenchmarkValidateFloorRich is the floor for the rich token: the same verification over its
// longer signing input.
func BenchmarkValidateFloorRich(b *testing.B) { benchLoop(b, validateFirstOps(b, true).floor) }

// BenchmarkUpdateActivation and BenchmarkUpdateActivationFloor run side by side on loopback.
// The fake server answers with a ready token, so its signing hides nothing; the floor is a bare
// net/http PATCH of the same body plus the one signature check. BenchmarkUpdateActivationPair
// runs both in one loop.
func BenchmarkUpdateActivation(b *testing.B) { benchLoop(b, updateOps(b).sdk) }

func BenchmarkUpdateActivationFloor(b *testing.B) { benchLoop(b, updateOps(b).floor) }

// updateOps is UpdateActivation against licensingtest and its floor, a bare net/http PATCH of
// the same body to the same server plus the one verification.
func updateOps(b *testing.B) pairOps {
	srv, c, key, id, tok := benchEnv(b)
	srv.SetFixedToken(tok)
	ctx := context.Background()
	u := licensing.Update{Key: key, ReleaseVersion: "1.4.2"}
	m, _ := c.Machine(ctx)
	body, err := licensing.EncodeUpdate(srv.ProductID, m, u)
	if err != nil {
		b.Fatal(err)
	}
	pub, _ := token.ParsePublicKey(srv.PublicKey)
	hc := &http.Client{}
	b.Cleanup(hc.CloseIdleConnections)
	url := srv.URL + "/v3/activations/" + id
	return pairOps{
		sdk: func() {
			if _, err := c.UpdateActivation(ctx, id, u); err != nil {
				b.Fatal(err)
			}
		},
		floor: func() {
			req, _ := http.NewRequest(http.MethodPatch, url, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			out, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || len(out) == 0 {
				b.Fatal(resp.Status)
			}
			verifyFloor(b, pub, tok)
		},
	}
}

// BenchmarkValidateFirstPair runs a first Validate and its floor in one loop (see benchPair);
// its ratio is the goal's measure.
func BenchmarkValidateFirstPair(b *testing.B) { benchPair(b, validateFirstOps(b, false)) }

// BenchmarkValidateFirstRichPair is BenchmarkValidateFirstPair with the rich token.
func BenchmarkValidateFirstRichPair(b *testing.B) { benchPair(b, validateFirstOps(b, true)) }

// BenchmarkUpdateActivationPair runs UpdateActivation and its floor in one loop (see benchPair),
// against the same server.
func BenchmarkUpdateActivationPair(b *testing.B) { benchPair(b, updateOps(b)) }
