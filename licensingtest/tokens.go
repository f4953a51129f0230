package licensingtest

import (
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// defaultClockOffset is the aco of a license that sets none.
const defaultClockOffset = 5 * time.Minute

// claimsFor builds a token's claims from the activation and license; the caller holds mu.
func (s *Server) claimsFor(a *activation, lic *License) map[string]any {
	now := s.now()
	unix := func(t time.Time) int64 {
		if t.IsZero() {
			return 0
		}
		return t.Unix()
	}
	aco := lic.AllowedClockOffset
	switch {
	case aco == 0:
		aco = defaultClockOffset
	case aco < 0:
		aco = 0
	}
	var leat int64
	lease := lic.LeaseDuration
	if a.leaseDuration != nil && *a.leaseDuration > 0 {
		lease = time.Duration(*a.leaseDuration) * time.Second
	}
	if lease > 0 {
		leat = now.Add(lease).Unix()
	}
	var ssgpeat int64
	if lic.ServerSyncInterval > 0 && lic.GracePeriod > 0 {
		ssgpeat = now.Add(lic.GracePeriod).Unix()
	}
	lma := []map[string]any{}
	ama := []map[string]any{}
	for _, name := range sortedNames(lic.Meters) {
		lma = append(lma, map[string]any{"name": name, "allowedUses": lic.Meters[name], "totalUses": s.totalUses(lic.Key, name)})
		ama = append(ama, map[string]any{"name": name, "uses": a.uses[name]})
	}
	amd := []map[string]string{}
	for _, m := range a.metadata {
		amd = append(amd, map[string]string{"key": m.Key, "value": m.Value})
	}
	ls := ""
	if lic.LeaseDuration > 0 {
		ls = "immediate-revoke"
	}
	return map[string]any{
		"aid": a.id, "pid": s.ProductID, "lid": lic.ID, "key": lic.Key, "fp": a.fingerprint, "fms": "exact",
		"os": a.os, "iat": now.Unix(), "eat": unix(lic.ExpiresAt), "leat": leat, "ld": int64(lease / time.Second),
		"ls": ls, "fc": 0, "ssi": int64(lic.ServerSyncInterval / time.Second), "ssgpeat": ssgpeat,
		"aco": int64(aco / time.Second), "orv": 0, "suspended": lic.Suspended, "type": lic.Type,
		"name": lic.Name, "email": lic.Email, "company": lic.Company,
		"pmd": sortedKV(lic.ProductMetadata), "lmd": sortedKV(lic.Metadata), "umd": sortedKV(lic.UserMetadata),
		"amd": amd, "lma": lma, "ama": ama,
	}
}

func sortedNames(m map[string]int64) []string {
	s := make(map[string]string, len(m))
	for k := range m {
		s[k] = ""
	}
	out := make([]string, 0, len(m))
	for _, kv := range sortedKV(s) {
		out = append(out, kv["key"])
	}
	return out
}

// issue signs a token for a; the caller holds mu.
func (s *Server) issue(a *activation, lic *License) (string, error) {
	if s.fixedToken != "" {
		return s.fixedToken, nil
	}
	claims := s.claimsFor(a, lic)
	if s.tokenHook != nil {
		s.tokenHook(claims)
	}
	return s.Sign(claims)
}

// Sign signs any claims with the server's key (RS256), for tests that need a token the server
// would not issue.
func (s *Server) Sign(claims map[string]any) (string, error) {
	return jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims(claims)).SignedString(s.key)
}

// Token signs a token for the activation with id in its current state, as an update would
// return it, without changing anything. ok is false for an unknown id.
func (s *Server) Token(id string) (tok string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, found := s.activations[id]
	if !found {
		return "", false
	}
	lic, found := s.licenses[a.licenseKey]
	if !found {
		return "", false
	}
	claims := s.claimsFor(a, lic)
	if s.tokenHook != nil {
		s.tokenHook(claims)
	}
	t, err := s.Sign(claims)
	return t, err == nil
}
