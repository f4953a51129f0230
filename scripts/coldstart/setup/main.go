// Command setup prepares the cold start-up benchmark (scripts/coldstart.sh): in DIR it writes
// the product's public key (pub.pem), its id (product), an activation token (token.jwt) for
// this machine as licensing collects it, and the same token cached in a file store (store/), as
// an UpdateActivation against licensingtest leaves it. Usage: setup DIR small|rich
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
	"github.com/tollgate-dev/tollgate/store"
)

func main() {
	if err := run(os.Args[1], os.Args[2] == "rich"); err != nil {
		fmt.Fprintln(os.Stderr, "setup:", err)
		os.Exit(1)
	}
}

func run(dir string, rich bool) error {
	srv := licensingtest.NewServer()
	defer srv.Close()
	// The small token: a licensee, two license metadata and one meter. The rich one: three
	// meters and every metadata list, activation metadata included.
	lic := licensingtest.License{Name: "Bench Customer", Email: "bench@example.com",
		ExpiresAt: time.Now().Add(365 * 24 * time.Hour), ServerSyncInterval: time.Hour, GracePeriod: 72 * time.Hour,
		Metadata: map[string]string{"tier": "pro", "seats": "5"}, Meters: map[string]int64{"exports": 1000}}
	var amd []licensing.Metadata
	if rich {
		lic.Company = "Bench Industries GmbH"
		lic.Meters = map[string]int64{"exports": 1000, "renders": 50000, "api-calls": 1000000}
		lic.ProductMetadata = map[string]string{"edition": "studio", "channel": "stable", "region": "eu"}
		lic.Metadata = map[string]string{"tier": "pro", "seats": "5", "support": "priority", "po": "PO-2026-0042"}
		lic.UserMetadata = map[string]string{"department": "Rendering", "cost-centre": "4711"}
		amd = []licensing.Metadata{{Key: "workstation", Value: "render-07"}, {Key: "site", Value: "Berlin"}}
	}
	key := srv.AddLicense(lic)
	id := srv.AddActivation(key)
	c, err := licensing.New(licensing.Config{ProductID: srv.ProductID, PublicKey: srv.PublicKey, BaseURL: srv.URL,
		Store: store.NewFile(filepath.Join(dir, "store"))})
	if err != nil {
		return err
	}
	defer c.CloseIdleConnections()
	a, err := c.UpdateActivation(context.Background(), id, licensing.Update{Key: key, Metadata: amd})
	if err != nil {
		return err
	}
	if _, err := c.Validate(context.Background()); err != nil {
		return err
	}
	for name, v := range map[string]string{"pub.pem": srv.PublicKey, "product": srv.ProductID, "token.jwt": a.Token.Reveal()} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(v), 0o600); err != nil {
			return err
		}
	}
	return nil
}
