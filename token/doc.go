// Package token verifies activation tokens offline and stores them.
//
// # Verification
//
// An activation token is a JSON Web Token that the activation API signs with the product's RSA
// key. [ParsePublicKey] reads that key as the dashboard shows it (PEM or base64 DER, 2048 bits
// or more). [Verifier.Verify] accepts only the algorithms in [Algorithms], checks the signature
// before it reads a claim, and binds the token to the product, the license key and the machine's
// fingerprint. [CheckTime] applies the server's time rules in the order of the vendor's client,
// and [CheckRollback] guards against a clock turned back.
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
//
// # Storage
//
// A [Store] keeps the sealed [Record] of an activation between runs: [NewKeychainStore] in the
// OS keychain (any size, bounded in time), [NewFileStore] in a private file, [NewMemoryStore]
// in memory, and [NewDefaultStore] the keychain where one answers and the file otherwise.
package token
