package licensing

import (
	"slices"
	"sync"

	"github.com/tollgate-dev/tollgate/internal/record"
	"github.com/tollgate-dev/tollgate/token"
)

// verifiedMemo remembers the last cached record this client verified, so that reading the same
// bytes again costs neither an RSA verification nor a decoding. Only a record whose token
// verified and whose seal matched is remembered; a record that differs by one byte (a newer
// token, a moved time, an edit) is verified afresh. The memo answers only "these bytes were
// verified, and this is what they said": the time rules, the anti-rollback check and the
// fingerprint binding still run on every call.
type verifiedMemo struct {
	mu     sync.Mutex
	stored string // the record exactly as stored
	rec    record.Record
	claims *token.Claims // private: callers get copies
}

// get returns copies of what stored was verified to say, if it is the remembered record.
func (m *verifiedMemo) get(stored string) (record.Record, *token.Claims, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.claims == nil || stored != m.stored {
		return record.Record{}, nil, false
	}
	return m.rec, cloneClaims(m.claims), true
}

// put remembers a record that verified and whose seal matched.
func (m *verifiedMemo) put(stored string, rec record.Record, claims *token.Claims) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stored, m.rec, m.claims = stored, rec, cloneClaims(claims)
}

// cloneClaims copies c and its lists, so that a caller changing the claims it was given (through
// Activation.Claims, say) cannot change what the memo says next time.
func cloneClaims(c *token.Claims) *token.Claims {
	cc := *c
	cc.ProductMetadata = slices.Clone(c.ProductMetadata)
	cc.LicenseMetadata = slices.Clone(c.LicenseMetadata)
	cc.UserMetadata = slices.Clone(c.UserMetadata)
	cc.ActivationMetadata = slices.Clone(c.ActivationMetadata)
	cc.LicenseMeterAttributes = slices.Clone(c.LicenseMeterAttributes)
	cc.ActivationMeterAttributes = slices.Clone(c.ActivationMeterAttributes)
	return &cc
}
