// Command webhook-receiver is a small net/http server for the activation API's webhooks, using
// webhook.Handler: signature check, size limit and decoding included.
//
//	TOLLGATE_WEBHOOK_SECRET=... go run ./examples/webhook-receiver -addr :8080
//
// With -demo it listens on a loopback port, has a fake activation server post one signed
// activation.updated event to it, prints what it received and exits.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/fingerprint"
	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
	"github.com/tollgate-dev/tollgate/store"
	"github.com/tollgate-dev/tollgate/webhook"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	demo := flag.Bool("demo", false, "post one event from a fake server to this receiver, then exit")
	flag.Parse()
	os.Exit(run(*addr, *demo))
}

func run(addr string, demo bool) int {
	secret := os.Getenv("TOLLGATE_WEBHOOK_SECRET")
	if demo {
		secret, addr = "demo-secret", "127.0.0.1:0"
	}
	if secret == "" {
		fmt.Fprintln(os.Stderr, "webhook-receiver: set TOLLGATE_WEBHOOK_SECRET to the webhook's secret token (or use -demo)")
		return 2
	}

	received := make(chan struct{}, 1)
	mux := http.NewServeMux()
	mux.Handle("/webhooks/activations", webhook.Handler(secret, func(ctx context.Context, e *webhook.Event) error {
		switch {
		case e.Activation != nil:
			a := e.Activation
			log.Printf("%s: activation %s on %s (%s %s), release %s, %d meter attributes",
				e.Type, a.ID, a.Hostname, a.OS, a.OSVersion, a.ReleaseVersion, len(a.MeterAttributes))
		default:
			log.Printf("%s: %d bytes of data", e.Type, len(e.Data))
		}
		select {
		case received <- struct{}{}:
		default:
		}
		return nil // a non-nil error answers 500, and the server sends the event again
	}))

	l, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "webhook-receiver:", err)
		return 2
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Print(err)
		}
	}()
	url := "http://" + l.Addr().String() + "/webhooks/activations"
	log.Printf("listening on %s", url)
	if !demo {
		select {} // serve until the process is stopped
	}

	fake := licensingtest.NewServer()
	defer fake.Close()
	key := fake.AddLicense(licensingtest.License{Meters: map[string]int64{"exports": 10}})
	id := fake.AddActivation(key)
	// An app on some machine syncs its activation; the server then notifies the vendor.
	app, err := licensing.New(licensing.Config{ProductID: fake.ProductID, PublicKey: fake.PublicKey, BaseURL: fake.URL,
		Store: store.NewMemory(), Machine: &fingerprint.Machine{OS: "windows", OSVersion: "10.0.22631", Hostname: "DESKTOP-7Q2",
			Fingerprint: strings.Repeat("c4", 32), UserHash: strings.Repeat("1d", 32)}})
	if err != nil {
		log.Print(err)
		return 1
	}
	defer app.CloseIdleConnections()
	if _, err := app.UpdateActivation(context.Background(), id, licensing.Update{Key: key, ReleaseVersion: "3.1.0",
		MeterAttributes: []licensing.MeterAttribute{{Name: "exports", UsesIncrement: 2}}}); err != nil {
		log.Print(err)
		return 1
	}
	status, err := fake.SendWebhook(context.Background(), url, secret, id)
	if err != nil || status != http.StatusNoContent {
		fmt.Fprintln(os.Stderr, "webhook-receiver: demo delivery failed:", status, err)
		return 1
	}
	<-received
	if status, _ := fake.SendWebhook(context.Background(), url, "wrong-secret", id); status != http.StatusUnauthorized {
		fmt.Fprintln(os.Stderr, "webhook-receiver: a wrongly signed event was not refused:", status)
		return 1
	}
	log.Print("a wrongly signed event was refused with 401")
	_ = srv.Shutdown(context.Background())
	return 0
}
