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
// # Storage
//
// A [Store] keeps the sealed [Record] of an activation between runs: [NewKeychainStore] in the
// OS keychain (any size, bounded in time), [NewFileStore] in a private file, [NewMemoryStore]
// in memory, and [NewDefaultStore] the keychain where one answers and the file otherwise.
package token
