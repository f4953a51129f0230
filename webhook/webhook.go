// Package webhook receives the activation API's webhooks on a vendor's backend: it checks
// their signature, decodes their events and serves them over HTTP.
//
// Each webhook has a secret token. The server sends the standard base64 of
// HMAC-SHA256(secret, raw body) in the Webhook-Signature header; [Verify] checks it in constant
// time, [Parse] decodes the body, and [Handler] does both for every request.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// SignatureHeader is the header that carries the signature.
const SignatureHeader = "Webhook-Signature"

// MaxBodySize bounds the bodies Handler reads.
const MaxBodySize = 1 << 20

// EventActivationUpdated is fired on every update of an activation, server syncs included.
const EventActivationUpdated = "activation.updated"

// ErrInvalidSignature is returned when a body's signature is missing or does not match.
var ErrInvalidSignature = errors.New("webhook: invalid signature")

// ErrInvalidEvent is wrapped when a body is not an event.
var ErrInvalidEvent = errors.New("webhook: invalid event")

// Sign returns the signature the server sends for body: base64(HMAC-SHA256(secret, body)).
func Sign(body []byte, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Verify checks that signature is base64(HMAC-SHA256(secret, body)), comparing in constant
// time. Surrounding white space is ignored; an empty secret or signature never verifies.
func Verify(body []byte, signature, secret string) error {
	sig, err := base64.StdEncoding.Strict().DecodeString(strings.TrimSpace(signature))
	if err != nil || len(sig) != sha256.Size || secret == "" {
		return ErrInvalidSignature
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	if !hmac.Equal(sig, mac.Sum(nil)) {
		return ErrInvalidSignature
	}
	return nil
}

// Event is one webhook delivery.
type Event struct {
	// Type is the "event" field, such as "activation.updated".
	Type string
	// TriggeredAt is the server's time of the event, as sent.
	TriggeredAt string
	// Data is the event's raw data, for every event type.
	Data json.RawMessage
	// Activation is Data decoded, for activation events ("activation.*"); nil otherwise.
	Activation *Activation
}

// Parse decodes a webhook body. Unknown event types parse too, with their raw Data. Fields of
// the page's example that arrive as null are left at their zero values.
func Parse(body []byte) (*Event, error) {
	var env struct {
		Event       *string         `json:"event"`
		Data        json.RawMessage `json:"data"`
		TriggeredAt json.RawMessage `json:"triggeredAt"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("%w: not a JSON object", ErrInvalidEvent)
	}
	if env.Event == nil || *env.Event == "" {
		return nil, fmt.Errorf("%w: no event type", ErrInvalidEvent)
	}
	e := &Event{Type: *env.Event, Data: env.Data}
	_ = json.Unmarshal(env.TriggeredAt, &e.TriggeredAt) // a string, or anything else ignored
	if strings.HasPrefix(e.Type, "activation.") && len(env.Data) > 0 && !bytes.Equal(bytes.TrimSpace(env.Data), []byte("null")) {
		var a Activation
		if err := json.Unmarshal(env.Data, &a); err != nil {
			return nil, fmt.Errorf("%w: activation data: %v", ErrInvalidEvent, err)
		}
		e.Activation = &a
	}
	return e, nil
}

// Handler verifies and parses each request and calls fn. It answers 405 to anything but POST,
// 401 on a missing or bad signature, 413 on a body over MaxBodySize, 400 on a body that is not
// an event, 500 when fn fails (so the server retries), and 204 once fn returns nil. It refuses
// replays: an event older than [DefaultMaxAge] (by its signed triggeredAt) is answered 400,
// and one this handler has already delivered is answered 204 without calling fn again. It is
// [HandlerWithOptions] with the zero [Options].
func Handler(secret string, fn func(ctx context.Context, e *Event) error) http.Handler {
	return HandlerWithOptions(secret, Options{}, fn)
}

// HandlerWithOptions is [Handler] with o's checks: an event whose signed triggeredAt is older
// than o.MaxAge ([DefaultMaxAge] when 0), too far ahead, or missing is answered 400 ("event too
// old") and fn is not called (see [CheckAge]). An event this handler has delivered before (the
// same signed body, remembered until it is too old to pass anyway, at most [MaxRemembered]
// of them) is answered 204 and fn is not called; one whose fn failed is delivered again. The
// memory is this handler's: behind several replicas, deduplicate on the event's data as well.
func HandlerWithOptions(secret string, o Options, fn func(ctx context.Context, e *Event) error) http.Handler {
	seen := &delivered{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodySize))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "cannot read body", http.StatusBadRequest)
			return
		}
		if Verify(body, r.Header.Get(SignatureHeader), secret) != nil {
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		e, err := Parse(body)
		if err != nil {
			http.Error(w, "invalid event", http.StatusBadRequest)
			return
		}
		now := o.now()
		if err := o.check(e, now); err != nil {
			http.Error(w, "event too old", http.StatusBadRequest)
			return
		}
		if !seen.claim(body, now, o.forgetAt(now)) {
			w.WriteHeader(http.StatusNoContent) // delivered already
			return
		}
		if err := fn(r.Context(), e); err != nil {
			seen.release(body)
			http.Error(w, "handler failed", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
