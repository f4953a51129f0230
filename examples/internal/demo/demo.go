// Package demo gives the example programs their settings: from TOLLGATE_* environment
// variables when set, else from an in-process licensingtest server.
package demo

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/licensingtest"
	"github.com/tollgate-dev/tollgate/store"
)

// Settings name a product, a license and an activation on a server.
type Settings struct {
	APIURL, ProductID, PublicKey, LicenseKey, ActivationID string
	// Fake is the in-process server when the settings came from none in the environment.
	Fake *licensingtest.Server
	// Store is where the example caches its activation: a memory store with the fake server, so
	// that a demo leaves nothing in the keychain; nil (the OS keychain) with a real server.
	Store store.Store
}

// envNames are the variables FromEnv reads, in the order Settings lists them.
var envNames = []string{"TOLLGATE_API_URL", "TOLLGATE_PRODUCT_ID", "TOLLGATE_PUBLIC_KEY", "TOLLGATE_LICENSE_KEY", "TOLLGATE_ACTIVATION_ID"}

// ErrUsage is wrapped for settings that are incomplete or malformed: exit with code 2.
var ErrUsage = errors.New("bad settings")

// Load returns the environment's settings when TOLLGATE_API_URL is set, checking that every
// other one is too; otherwise it starts a fake server with lic and an activation of it.
func Load(lic licensingtest.License) (Settings, error) {
	if os.Getenv("TOLLGATE_API_URL") == "" {
		var missing []string
		for _, n := range envNames[1:] {
			if os.Getenv(n) != "" {
				missing = append(missing, n)
			}
		}
		if len(missing) > 0 {
			return Settings{}, fmt.Errorf("%w: %s set but TOLLGATE_API_URL is not; set all of %s, or none to use the built-in fake server",
				ErrUsage, strings.Join(missing, ", "), strings.Join(envNames, ", "))
		}
		srv := licensingtest.NewServer(licensingtest.WithProductID("prod-quickstart"))
		key := srv.AddLicense(lic)
		return Settings{APIURL: srv.URL, ProductID: srv.ProductID, PublicKey: srv.PublicKey,
			LicenseKey: key, ActivationID: srv.AddActivation(key), Fake: srv, Store: store.NewMemory()}, nil
	}
	var s Settings
	var missing []string
	for i, p := range []*string{&s.APIURL, &s.ProductID, &s.PublicKey, &s.LicenseKey, &s.ActivationID} {
		*p = strings.TrimSpace(os.Getenv(envNames[i]))
		if *p == "" {
			missing = append(missing, envNames[i])
		}
	}
	if len(missing) > 0 {
		return Settings{}, fmt.Errorf("%w: TOLLGATE_API_URL is set, but %s %s not", ErrUsage, strings.Join(missing, ", "),
			map[bool]string{true: "is", false: "are"}[len(missing) == 1])
	}
	return s, nil
}

// DefaultLicense is the fake server's demo license.
func DefaultLicense() licensingtest.License {
	return licensingtest.License{
		Name: "Demo Customer", Email: "demo@example.com", Company: "Example Ltd",
		ExpiresAt:          time.Now().AddDate(1, 0, 0).Truncate(24 * time.Hour),
		ServerSyncInterval: time.Hour, GracePeriod: 7 * 24 * time.Hour,
		Meters: map[string]int64{"exports": 100},
	}
}

// CaptureStdout returns what fn prints to os.Stdout, for the examples' tests. It swaps
// os.Stdout, so its callers must not run in parallel.
func CaptureStdout(fn func()) (string, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return "", err
	}
	stdout := os.Stdout
	os.Stdout = w
	done := make(chan []byte)
	go func() { b, _ := io.ReadAll(r); done <- b }()
	defer func() { os.Stdout = stdout }()
	fn()
	w.Close()
	return string(<-done), r.Close()
}

// Close stops the fake server, if any.
func (s Settings) Close() {
	if s.Fake != nil {
		s.Fake.Close()
	}
}

// Short shortens a long hex value for display: "3f2a9c…e41b".
func Short(s string) string {
	if len(s) <= 12 {
		return s
	}
	return s[:6] + "…" + s[len(s)-4:]
}
