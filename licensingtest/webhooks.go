package licensingtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/tollgate-dev/tollgate/webhook"
)

type webhookTarget struct{ url, secret string }

// Event returns the activation.updated event body the server would post for the activation
// with id.
func (s *Server) Event(id string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.activations[id]
	if !ok {
		return nil, false
	}
	lic := s.licenses[a.licenseKey]
	data := webhook.Activation{
		ID: a.id, CreatedAt: webhook.Time{Time: a.created}, UpdatedAt: webhook.Time{Time: a.updated},
		OS: a.os, OSVersion: a.osVersion, Hostname: a.hostname, VMName: a.vmName, Container: a.container,
		AppVersion: a.appVersion, ReleaseVersion: a.releaseVersion, ReleaseChannel: a.releaseChannel,
		ReleasePlatform: a.releasePlatform, ProductID: s.ProductID, LastSyncedAt: webhook.Time{Time: a.updated},
		UserID: a.userID, Location: &webhook.Location{IPAddress: "127.0.0.1", CountryCode: "ZZ", CountryName: "Loopback"},
		MeterAttributes: []webhook.MeterAttribute{}, Metadata: []webhook.Metadata{},
	}
	if lic != nil {
		data.LicenseID = lic.ID
		data.ExpiresAt = webhook.Time{Time: lic.ExpiresAt}
		for _, name := range sortedNames(lic.Meters) {
			data.MeterAttributes = append(data.MeterAttributes, webhook.MeterAttribute{Name: name, Uses: a.uses[name]})
		}
	}
	for _, m := range a.metadata {
		data.Metadata = append(data.Metadata, webhook.Metadata{Key: m.Key, Value: m.Value,
			CreatedAt: webhook.Time{Time: a.updated}, UpdatedAt: webhook.Time{Time: a.updated}})
	}
	b, err := json.Marshal(map[string]any{
		"event": webhook.EventActivationUpdated, "data": data,
		"triggeredAt": s.now().UTC().Format(time.RFC3339),
	})
	return b, err == nil
}

// SendWebhook posts the activation.updated event of the activation with id to url, signed with
// secret in the Webhook-Signature header as the real server signs it, and returns the answer's
// status.
func (s *Server) SendWebhook(ctx context.Context, url, secret, id string) (int, error) {
	body, ok := s.Event(id)
	if !ok {
		return 0, fmt.Errorf("licensingtest: no activation %q", id)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(webhook.SignatureHeader, webhook.Sign(body, secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, nil
}

// notify posts the event when WithWebhook was given, in the background; Close waits for it.
func (s *Server) notify(id string) {
	if s.hook == nil {
		return
	}
	s.sends.Add(1)
	go func() {
		defer s.sends.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _ = s.SendWebhook(ctx, s.hook.url, s.hook.secret, id)
	}()
}
