package licensing_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
)

// The class "an answer to increments that cannot prove it is the API's": whoever reads this
// machine's TLS answers a metered request with a 2xx whose token does not verify. Such an
// answer never reports the use counted (no *Activation, ErrOutcomeUnknown), so the app's count
// of applied uses equals the server's; CheckApplied against the genuine server settles it.

// flipSig changes one character of tok's signature.
func flipSig(tok string) string {
	b := []byte(tok)
	i := len(b) - 5
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// tokenBody is an answer carrying tok.
func tokenBody(tok string) []byte {
	b, _ := json.Marshal(map[string]string{"activationToken": tok})
	return b
}

// claimsOf decodes tok's claims without verifying them.
func claimsOf(t *testing.T, tok string) map[string]any {
	t.Helper()
	payload, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(payload, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestForgedMeteredAnswerNotCounted(t *testing.T) {
	t.Parallel()
	recordedToken := func(t *testing.T, recorded []byte) string {
		var w struct{ ActivationToken string }
		if err := json.Unmarshal(recorded, &w); err != nil {
			t.Fatal(err)
		}
		return w.ActivationToken
	}
	// resigned is the recorded token's claims, fresh and showing the increment, signed by key.
	resigned := func(t *testing.T, e *env, recorded []byte, method jwt.SigningMethod, key any) []byte {
		c := claimsOf(t, recordedToken(t, recorded))
		c["iat"] = e.now.Now().Unix()
		if ama, ok := c["ama"].([]any); ok {
			for _, m := range ama {
				if m, ok := m.(map[string]any); ok {
					m["uses"] = 1000
				}
			}
		}
		tok, err := jwt.NewWithClaims(method, jwt.MapClaims(c)).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return tokenBody(tok)
	}
	for _, tc := range []struct {
		name      string
		forged    func(t *testing.T, e *env, recorded []byte) []byte
		increment int64
		publicKey bool
	}{
		{"a recorded token with its signature changed", func(t *testing.T, e *env, recorded []byte) []byte {
			return tokenBody(flipSig(recordedToken(t, recorded)))
		}, 1, true},
		{"another activation's genuine token", func(t *testing.T, e *env, _ []byte) []byte {
			tok, ok := e.srv.Token(e.srv.AddActivation(e.key))
			if !ok {
				t.Fatal("no token for the other activation")
			}
			return tokenBody(tok)
		}, 1, false},
		{"fresh claims showing the use, signed by the forger's key", func(t *testing.T, e *env, recorded []byte) []byte {
			return resigned(t, e, recorded, jwt.SigningMethodRS256, otherKey())
		}, 3, true},
		{"fresh claims, HS256 keyed with the public key", func(t *testing.T, e *env, recorded []byte) []byte {
			return resigned(t, e, recorded, jwt.SigningMethodHS256, []byte(e.srv.PublicKey))
		}, 1, false},
		{"a signature byte changed, to a decrement", func(t *testing.T, e *env, recorded []byte) []byte {
			return tokenBody(flipSig(recordedToken(t, recorded)))
		}, -1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, licensingtest.License{Meters: map[string]int64{"exports": 100}})
			c, m := mitmClient(t, e, nil)
			use := licensing.Update{Key: e.key, MeterAttributes: []licensing.MeterAttribute{{Name: "exports", UsesIncrement: 5}}}
			first, err := c.UpdateActivation(ctx, e.id, use)
			if err != nil || !first.Applied {
				t.Fatalf("first: %v, %v", first, err)
			}
			m.mu.Lock()
			m.replay = tc.forged(t, e, m.recorded[len(m.recorded)-1])
			m.mu.Unlock()
			use.MeterAttributes[0].UsesIncrement = tc.increment
			counted := int64(5)
			for i := range 5 {
				e.now.Add(time.Second)
				act, err := c.UpdateActivation(ctx, e.id, use)
				if act != nil && act.Applied {
					counted += tc.increment
				}
				var ue *licensing.UnverifiedError
				if act != nil || !errors.Is(err, licensing.ErrOutcomeUnknown) || !errors.As(err, &ue) ||
					ue.PublicKeyLikely != tc.publicKey || licensing.StateOf(err) != licensing.StateOutcomeUnknown {
					t.Fatalf("forged answer %d: %+v %v (state %v)", i, act, err, licensing.StateOf(err))
				}
			}
			if got := e.srv.MeterUses(e.key, "exports"); counted != got {
				t.Errorf("reported %d uses counted, the server counted %d", counted, got)
			}
			// The genuine server settles it: not applied; the cached license is the first answer.
			m.stop()
			applied, act, err := c.CheckApplied(ctx, nil, use)
			if applied || err != nil || act == nil || act.Claims == nil {
				t.Errorf("CheckApplied: %v %+v %v", applied, act, err)
			}
		})
	}
}

// A metered activation answered by a forged token is not reported as a counted use either.
func TestForgedMeteredActivationNotCounted(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{Meters: map[string]int64{"exports": 100}})
	c, m := mitmClient(t, e, nil)
	if _, err := c.Activate(ctx, licensing.ActivationRequest{Key: e.key}); err != nil {
		t.Fatal(err)
	}
	m.mu.Lock()
	var w struct{ ActivationToken string }
	_ = json.Unmarshal(m.recorded[len(m.recorded)-1], &w)
	m.replay = tokenBody(flipSig(w.ActivationToken))
	m.mu.Unlock()
	e.now.Add(time.Second)
	act, err := c.Activate(ctx, licensing.ActivationRequest{Key: "OTHER-KEY-0001", MeterAttributes: []licensing.MeterAttribute{{Name: "exports", UsesIncrement: 1}}})
	if act != nil || !errors.Is(err, licensing.ErrOutcomeUnknown) || !errors.Is(err, licensing.ErrUnverified) {
		t.Fatalf("%+v %v", act, err)
	}
	if _, err := c.Validate(ctx); err != nil {
		t.Errorf("the cached license was lost: %v", err)
	}
}

// The server applied the increment but the answer that came back was forged: outcome unknown,
// and CheckApplied against the genuine server says applied.
func TestCheckAppliedAfterForgedAnswerToAppliedRequest(t *testing.T) {
	t.Parallel()
	e := sharedClock(t, licensingtest.License{Meters: map[string]int64{"exports": 100}})
	use := licensing.Update{MeterAttributes: []licensing.MeterAttribute{{Name: "exports", UsesIncrement: 2}}}
	before, err := e.client.Activate(ctx, licensing.ActivationRequest{Key: e.key})
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := e.srv.Token(before.ID)
	e.srv.SetFixedToken(flipSig(tok)) // the server applies the request, then answers this
	e.now.Add(time.Second)
	act, err := e.client.Sync(ctx, use)
	if act != nil || !errors.Is(err, licensing.ErrOutcomeUnknown) || !errors.Is(err, licensing.ErrUnverified) {
		t.Fatalf("%+v %v", act, err)
	}
	e.srv.SetFixedToken("")
	for _, b := range []*licensing.Activation{nil, before} {
		applied, act, err := e.client.CheckApplied(ctx, b, use)
		if !applied || err != nil || act == nil {
			t.Errorf("CheckApplied(before %v): %v %+v %v", b != nil, applied, act, err)
		}
	}
	if got := e.srv.MeterUses(e.key, "exports"); got != 2 {
		t.Errorf("server counted %d", got)
	}
}

// Watch retries an answer that cannot be used, an unverified or a stale one, and recovers
// when the genuine answer comes back; it never stops on one.
func TestWatchRetriesUnusableAnswers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		want  error
		state licensing.State
		spoil func(t *testing.T, e *env, m *mitm, act *licensing.Activation)
	}{
		{"a signature byte changed", licensing.ErrUnverified, licensing.StateRetryLater, func(t *testing.T, e *env, m *mitm, act *licensing.Activation) {
			tok, _ := e.srv.Token(act.ID)
			m.mu.Lock()
			m.replay = tokenBody(flipSig(tok))
			m.mu.Unlock()
		}},
		{"another activation's genuine token", licensing.ErrUnverified, licensing.StateRetryLater, func(t *testing.T, e *env, m *mitm, _ *licensing.Activation) {
			tok, _ := e.srv.Token(e.id)
			m.mu.Lock()
			m.replay = tokenBody(tok)
			m.mu.Unlock()
		}},
		{"an older answer replayed", licensing.ErrStaleToken, licensing.StateRetryLater, func(t *testing.T, e *env, m *mitm, _ *licensing.Activation) {
			m.play(0)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := sharedClock(t, licensingtest.License{})
			c, m := mitmClient(t, e, nil)
			act, err := c.Activate(ctx, licensing.ActivationRequest{Key: e.key})
			if err != nil {
				t.Fatal(err)
			}
			e.now.Add(2 * time.Second)
			if _, err := c.Sync(ctx, licensing.Update{}); err != nil { // a newer token cached
				t.Fatal(err)
			}
			tc.spoil(t, e, m, act)
			wctx, cancel := context.WithTimeout(ctx, time.Minute)
			defer cancel()
			var results []error
			err = c.Watch(wctx, licensing.Update{}, func(a *licensing.Activation, err error) {
				results = append(results, err)
				if len(results) == 1 {
					if !errors.Is(err, tc.want) || licensing.StateOf(err) != tc.state {
						t.Errorf("first sync: %v (state %v), want %v, %v", err, licensing.StateOf(err), tc.want, tc.state)
					}
					m.stop() // the genuine answers come back
					return
				}
				cancel()
			})
			if !errors.Is(err, context.Canceled) || len(results) != 2 || results[1] != nil {
				t.Fatalf("Watch: %v after %v", err, results)
			}
		})
	}
}
