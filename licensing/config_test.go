package licensing

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/tollgate-dev/tollgate/store"
)

var (
	testKeyOnce sync.Once
	testKey     *rsa.PrivateKey
)

func testPrivateKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	testKeyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		testKey = k
	})
	return testKey
}

func testPublicPEM(t testing.TB) string {
	der, err := x509.MarshalPKIXPublicKey(&testPrivateKey(t).PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func TestNewChecksConfig(t *testing.T) {
	t.Parallel()
	pub := testPublicPEM(t)
	for _, tc := range []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"defaults", Config{ProductID: "p", PublicKey: pub}, true},
		{"loopback http", Config{ProductID: "p", PublicKey: pub, BaseURL: "http://127.0.0.1:8080/prefix/"}, true},
		{"localhost http", Config{ProductID: "p", PublicKey: pub, BaseURL: "http://localhost:1"}, true},
		{"ipv6 loopback http", Config{ProductID: "p", PublicKey: pub, BaseURL: "http://[::1]:1"}, true},
		{"remote http", Config{ProductID: "p", PublicKey: pub, BaseURL: "http://api.example.com"}, false},
		{"localhost lookalike", Config{ProductID: "p", PublicKey: pub, BaseURL: "http://localhost.example.com"}, false},
		{"ftp", Config{ProductID: "p", PublicKey: pub, BaseURL: "ftp://example.com"}, false},
		{"user info", Config{ProductID: "p", PublicKey: pub, BaseURL: "https://u:secret@example.com"}, false},
		{"query", Config{ProductID: "p", PublicKey: pub, BaseURL: "https://example.com/?a=b"}, false},
		{"no product", Config{PublicKey: pub}, false},
		{"no key", Config{ProductID: "p"}, false},
		{"garbage key", Config{ProductID: "p", PublicKey: "not a key"}, false},
		{"app name", Config{ProductID: "p", PublicKey: pub, AppName: "Acme Editor"}, true},
		{"app name with a slash", Config{ProductID: "p", PublicKey: pub, AppName: "acme/editor"}, false},
		{"app name with a backslash", Config{ProductID: "p", PublicKey: pub, AppName: `acme\editor`}, false},
		{"app name with a colon", Config{ProductID: "p", PublicKey: pub, AppName: "c:acme"}, false},
		{"app name ..", Config{ProductID: "p", PublicKey: pub, AppName: ".."}, false},
		{"app name .", Config{ProductID: "p", PublicKey: pub, AppName: "."}, false},
		{"app name with a newline", Config{ProductID: "p", PublicKey: pub, AppName: "a\nb"}, false},
		{"app name too long", Config{ProductID: "p", PublicKey: pub, AppName: strings.Repeat("a", 256)}, false},
		{"app id no folder name: the product's", Config{ProductID: "p", PublicKey: pub, AppID: "com.acme/editor"}, true},
		{"neither is a folder name", Config{ProductID: "p/q", PublicKey: pub, AppID: "../x"}, false},
		{"app name Windows keeps", Config{ProductID: "p", PublicKey: pub, AppName: "CON"}, false},
		{"app id with a store of the app's", Config{ProductID: "p", PublicKey: pub, AppID: "../x", Store: store.NewMemory()}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			if (err == nil) != tc.ok {
				t.Fatalf("New: %v, want ok=%v", err, tc.ok)
			}
			if err != nil && strings.Contains(err.Error(), "secret") {
				t.Errorf("error leaks user info: %v", err)
			}
		})
	}
}

func TestActivationURL(t *testing.T) {
	t.Parallel()
	c, err := New(Config{ProductID: "p", PublicKey: testPublicPEM(t), BaseURL: "https://h.example/prefix/"})
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{
		"abc":     "https://h.example/prefix/v3/activations/abc",
		"a/b?c#d": "https://h.example/prefix/v3/activations/a%2Fb%3Fc%23d",
		"é x":     "https://h.example/prefix/v3/activations/%C3%A9%20x",
	} {
		if got := c.http.URL(activationPath(id)); got != want {
			t.Errorf("activationURL(%q) = %s, want %s", id, got, want)
		}
	}
}

func TestUpdateActivationReportsEveryProblemBeforeSending(t *testing.T) {
	t.Parallel()
	m := testMachine()
	m.OS = "plan9"
	c, err := New(Config{ProductID: "p", PublicKey: testPublicPEM(t), Machine: &m, Store: store.NewMemory()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.UpdateActivation(context.Background(), "", Update{ReleaseVersion: "1"})
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want *ValidationError, got %v", err)
	}
	var got []string
	for _, f := range ve.Fields {
		got = append(got, f.Field)
	}
	if strings.Join(got, ",") != "id,os,releaseVersion,key" {
		t.Fatalf("fields %v", got)
	}
}

// The default store is named after the app: its folder under os.UserConfigDir() (and its
// keychain service) is AppName, else AppID, else (AppID unset, or no folder name) ProductID. The test binary has no keychain
// (testhome), so the folder is what CacheLocation names.
func TestDefaultStoreNamedAfterApp(t *testing.T) {
	t.Parallel()
	pub := testPublicPEM(t)
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{ProductID: "prod-1", PublicKey: pub}, "prod-1"},
		{Config{ProductID: "prod-1", PublicKey: pub, AppID: "com.acme.editor"}, "com.acme.editor"},
		{Config{ProductID: "prod-1", PublicKey: pub, AppID: "com.acme.editor", AppName: "Acme Editor"}, "Acme Editor"},
		{Config{ProductID: "prod-1", PublicKey: pub, AppID: "acme/editor"}, "prod-1"}, // AppID no folder name
	} {
		c, err := New(tc.cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.CacheLocation(context.Background()); !strings.Contains(got, string(os.PathSeparator)+tc.want+" ") &&
			!strings.HasSuffix(got, string(os.PathSeparator)+tc.want) {
			t.Errorf("%+v: CacheLocation = %q, want the folder %q", tc.want, got, tc.want)
		}
	}
}
