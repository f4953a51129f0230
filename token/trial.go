package token

// VerifyTrial checks a trial activation token: exactly as [Verifier.Verify] checks an
// activation token (algorithm, signature, shape, aid, iat and pid), bound to the product and to
// fingerprint only, since a trial has no license key to bind. A key claim, if the token carries
// one, is not compared. The trial's end, eat, is required: a trial token without one wraps
// ErrTokenInvalid rather than counting as a trial that never ends.
//
// Inferred, not documented: the API reference documents the trial endpoints but not their
// token. Third-party clients show a JWT signed with the product's RSA key that carries at least
// pid, fp and eat, like an activation token; that is what is checked here.
func (v *Verifier) VerifyTrial(raw, fingerprint string) (*Claims, error) {
	return v.verify(raw, Binding{Fingerprint: fingerprint}, true)
}
