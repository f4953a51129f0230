package transport

import (
	"encoding/json"
	"fmt"
)

// TrialActivationToken returns the token of a 2xx answer from /v3/trial-activations.
//
// Inferred, not documented: third-party clients read {"trialActivationToken": "<jwt>"}. The
// member "activationToken" is accepted as well, in case the server answers with the activation
// shape. Both present with different values, neither present, an empty token or one that is not
// made of JWT characters wraps ErrBadResponse.
func TrialActivationToken(body []byte) (string, error) {
	var wire struct {
		Trial      *string `json:"trialActivationToken"`
		Activation *string `json:"activationToken"`
	}
	if err := json.Unmarshal(body, &wire); err != nil {
		return "", fmt.Errorf("%w: body is not the expected JSON", ErrBadResponse)
	}
	tok := wire.Trial
	switch {
	case tok == nil:
		tok = wire.Activation
	case wire.Activation != nil && *wire.Activation != *wire.Trial:
		return "", fmt.Errorf("%w: trialActivationToken and activationToken differ", ErrBadResponse)
	}
	if tok == nil || *tok == "" {
		return "", fmt.Errorf("%w: no trialActivationToken in the body", ErrBadResponse)
	}
	if !isJWTChars([]byte(*tok)) {
		return "", fmt.Errorf("%w: trialActivationToken is not a JWT", ErrBadResponse)
	}
	return *tok, nil
}
