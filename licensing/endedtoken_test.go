package licensing_test

import (
	"errors"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
)

// endings are the ways an activation ends that this client sees: each leaves the token marked
// ended in memory (a copy put back is refused while the client runs).
var endings = map[string]func(t *testing.T, e *env, id string){
	"Sync answered 404": func(t *testing.T, e *env, id string) {
		e.srv.RemoveActivation(id)
		if _, err := e.client.Sync(ctx, licensing.Update{}); !licensing.NeedsActivation(err) {
			t.Fatalf("sync after the server removed the activation: %v", err)
		}
	},
	"Sync answered REVOKED_LICENSE": func(t *testing.T, e *env, _ string) {
		e.srv.Inject(licensingtest.Fault{Status: 400, Code: "REVOKED_LICENSE"})
		if _, err := e.client.Sync(ctx, licensing.Update{}); err == nil {
			t.Fatal("sync after a revocation: no error")
		}
	},
	"Deactivate": func(t *testing.T, e *env, _ string) {
		if err := e.client.Deactivate(ctx); err != nil {
			t.Fatal(err)
		}
	},
	"Deactivate answered 404": func(t *testing.T, e *env, id string) {
		e.srv.RemoveActivation(id)
		if err := e.client.Deactivate(ctx); err != nil {
			t.Fatal(err)
		}
	},
}

// The class: the "ended" mark on a token is about that token. A fresh token the server issues
// after the end, in the same second (iat counts whole seconds), is not a copy put back:
// Validate takes it right after a successful Activate. The record of the ended activation,
// put back afterwards, stays refused.
func TestReactivateInTheSameSecondAsTheEnd(t *testing.T) {
	t.Parallel()
	for name, end := range endings {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e, act := activatedEnv(t, licensingtest.License{})
			slot := "activation/" + e.srv.ProductID
			old, err := e.st.Load(ctx, slot)
			if err != nil {
				t.Fatal(err)
			}
			end(t, e, act.ID)
			e.now.Add(100 * time.Millisecond) // the same second
			again, err := e.client.Activate(ctx, licensing.ActivationRequest{Key: e.key})
			if err != nil {
				t.Fatalf("re-activate: %v", err)
			}
			if !again.IssuedAt.Equal(act.IssuedAt) {
				t.Fatalf("the test needs both tokens in one second: %v, %v", act.IssuedAt, again.IssuedAt)
			}
			got, err := e.client.Validate(ctx)
			if err != nil {
				t.Fatalf("Validate right after a successful re-activation: %v (state %v)", err, licensing.StateOf(err))
			}
			if got.ID != again.ID {
				t.Fatalf("validated activation %s, want the new %s", got.ID, again.ID)
			}
			// The ended activation's record put back is still a copy put back.
			if err := e.st.Save(ctx, slot, old); err != nil {
				t.Fatal(err)
			}
			if a, err := e.client.Validate(ctx); err == nil && a.ID == act.ID && again.ID != act.ID {
				t.Fatalf("the record of the ended activation %s, put back, validates", act.ID)
			}
		})
	}
}

// docs/THREAT-MODEL.md: the record from before any answer that ended the activation, restored,
// is refused while that client runs. Deactivate's own answer ends it.
func TestRecordPutBackAfterDeactivateIsRefused(t *testing.T) {
	t.Parallel()
	for _, later := range []time.Duration{0, 100 * time.Millisecond, 2 * time.Second} { // in the token's second, and after it
		e, _ := activatedEnv(t, licensingtest.License{})
		name := "activation/" + e.srv.ProductID
		saved, err := e.st.Load(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		e.now.Add(later)
		if err := e.client.Deactivate(ctx); err != nil {
			t.Fatal(err)
		}
		if err := e.st.Save(ctx, name, saved); err != nil {
			t.Fatal(err)
		}
		_, err = e.client.Validate(ctx)
		if err == nil {
			t.Fatal("the record from before Deactivate, put back, validates as licensed in the client that deactivated it")
		}
		if !errors.Is(err, licensing.ErrNotActivated) || !errors.Is(err, licensing.ErrStaleToken) {
			t.Errorf("want ErrNotActivated and ErrStaleToken, got %v", err)
		}
	}
}
