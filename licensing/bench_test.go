package licensing_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
	"github.com/tollgate-dev/tollgate/token"
)

// benchEnv is an activated client whose token carries metadata and meters, as a real one does.
func benchEnv(b *testing.B) (*licensingtest.Server, *licensing.Client, string, string, string) {
	b.Helper()
	srv := licensingtest.NewServer(licensingtest.WithSigningKey(signingKey()))
	b.Cleanup(srv.Close)
	key := srv.AddLicense(licensingtest.License{Name: "Bench Customer", Email: "bench@example.com",
		ExpiresAt: time.Now().Add(365 * 24 * time.Hour), ServerSyncInterval: time.Hour, GracePeriod: 72 * time.Hour,
		Metadata: map[string]string{"tier": "pro", "seats": "5"}, Meters: map[string]int64{"exports": 1000}})
	id := srv.AddActivation(key)
	m := machine("be")
	c, err := licensing.New(licensing.Config{ProductID: srv.ProductID, PublicKey: srv.PublicKey, BaseURL: srv.URL,
		Store: token.NewMemoryStore(), Machine: &m})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.CloseIdleConnections)
	act, err := c.UpdateActivation(context.Background(), id, licensing.Update{Key: key})
	if err != nil {
		b.Fatal(err)
	}
	return srv, c, key, id, act.Token
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

// BenchmarkValidate and BenchmarkValidateFloor run side by side: their ratio is what Validate
// costs over the one signature check it must make.
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

func BenchmarkValidateFloor(b *testing.B) {
	srv, _, _, _, tok := benchEnv(b)
	pub, _ := token.ParsePublicKey(srv.PublicKey)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		verifyFloor(b, pub, tok)
	}
}

// BenchmarkUpdateActivation and BenchmarkUpdateActivationFloor run side by side on loopback.
// The fake server answers with a ready token, so its signing hides nothing; the floor is a bare
// net/http PATCH of the same body plus the one signature check.
func BenchmarkUpdateActivation(b *testing.B) {
	srv, c, key, id, tok := benchEnv(b)
	srv.SetFixedToken(tok)
	ctx := context.Background()
	u := licensing.Update{Key: key, ReleaseVersion: "1.4.2"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.UpdateActivation(ctx, id, u); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUpdateActivationFloor(b *testing.B) {
	srv, c, key, id, tok := benchEnv(b)
	srv.SetFixedToken(tok)
	m, _ := c.Machine(context.Background())
	body, err := licensing.EncodeUpdate(srv.ProductID, m, licensing.Update{Key: key, ReleaseVersion: "1.4.2"})
	if err != nil {
		b.Fatal(err)
	}
	pub, _ := token.ParsePublicKey(srv.PublicKey)
	hc := &http.Client{}
	url := srv.URL + "/v3/activations/" + id
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
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
	}
	hc.CloseIdleConnections()
}
