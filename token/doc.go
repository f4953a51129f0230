// Package token verifies activation tokens offline and reads their claims.
//
// # Verification
//
// An activation token is a JSON Web Token that the activation API signs with the product's RSA
// key. [ParsePublicKey] reads that key as the dashboard shows it (PEM or base64 DER, from
// [MinKeyBits] to [MaxKeyBits] bits). [Verifier.Verify] accepts only the algorithms in
// [Algorithms], checks the signature before it reads a claim, and binds the token to the
// product, the license key and the machine's fingerprint. [CheckTime] applies the server's time
// rules in the order of the vendor's client, What this check can and cannot stop offline is in
// docs/THREAT-MODEL.md.
//
// # Claims
//
// The header and the claims are read by encoding/json into typed structs. A NumericDate (iat,
// eat, leat, ssgpeat) may have a fraction, as RFC 7519 allows, and keeps it to the nanosecond.
// A claim of the wrong type is refused. A known claim given twice (or in two spellings that
// encoding/json matches to one field, such as "eat" and "EAT") makes the token invalid rather
// than letting the last member win, so that no reading of the same signed bytes can differ from
// ours; null reads as absent. Claims this package does not know are kept in [Claims.Extra].
// Each segment is checked against the base64url alphabet before it is decoded.
package token
