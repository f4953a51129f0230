package transport

import (
	"encoding/json"
	"fmt"

	"github.com/tollgate-dev/tollgate/internal/errs"
)

// ActivationToken returns the activationToken of a success body, {"activationToken": "..."}.
// A body that is not that JSON, holds no token, or holds a string that cannot be a JWT
// (characters outside base64url and '.') wraps ErrBadResponse. The token is not verified here.
func ActivationToken(body []byte) (string, error) {
	var wire struct {
		ActivationToken *string `json:"activationToken"`
	}
	if err := json.Unmarshal(body, &wire); err != nil {
		return "", fmt.Errorf("%w: body is not the expected JSON", errs.ErrBadResponse)
	}
	if wire.ActivationToken == nil || *wire.ActivationToken == "" {
		return "", fmt.Errorf("%w: no activationToken in the body", errs.ErrBadResponse)
	}
	tok := *wire.ActivationToken
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return "", fmt.Errorf("%w: activationToken is not a JWT", errs.ErrBadResponse)
		}
	}
	return tok, nil
}
