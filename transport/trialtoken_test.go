package transport

import (
	"errors"
	"testing"
)

func TestTrialActivationToken(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]string{
		`{"trialActivationToken":"a.b.c"}`:                           "a.b.c",
		`{"activationToken":"a.b.c"}`:                                "a.b.c",
		`{"trialActivationToken":"a.b.c","activationToken":"a.b.c"}`: "a.b.c",
		` {"trialActivationToken":"a.b.c","other":[1,2]} `:           "a.b.c",
	} {
		if got, err := TrialActivationToken([]byte(body)); err != nil || got != want {
			t.Errorf("%s: %q %v", body, got, err)
		}
	}
	for _, body := range []string{``, `null`, `[]`, `{}`, `{"trialActivationToken":null}`, `{"trialActivationToken":""}`,
		`{"trialActivationToken":"a.b.c","activationToken":"x.y.z"}`, `{"trialActivationToken":"a b"}`,
		`{"trialActivationToken":"a.b.c"`, `{"trialActivationToken":1}`} {
		if _, err := TrialActivationToken([]byte(body)); !errors.Is(err, ErrBadResponse) {
			t.Errorf("%s: want ErrBadResponse, got %v", body, err)
		}
	}
}
