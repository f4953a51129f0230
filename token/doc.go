// Package token verifies activation tokens offline and stores them.
//
// # Verification
//
// An activation token is a JSON Web Token that the activation API signs with the product's RSA
// key. [ParsePublicKey] reads that key as the dashboard shows it (PEM or base64 DER, from
// [MinKeyBits] to [MaxKeyBits] bits). [Verifier.Verify] accepts only the algorithms in
// [Algorithms], checks the signature before it reads a claim, and binds the token to the
// product, the license key and the machine's fingerprint. [CheckTime] applies the server's time
// rules in the order of the vendor's client, and [CheckRollback] guards against a clock turned
// back.
//
// # Storage
//
// A [Store] keeps the sealed [Record] of an activation between runs: [NewKeychainStore] in the
// OS keychain (any size, bounded in time), [NewFileStore] in a private file, [NewMemoryStore]
// in memory, and [NewDefaultStore] the keychain where one answers and the file otherwise.
//
// # Threat model
//
// What an offline check can and cannot stop, stated plainly:
//
//   - A forged or altered token is refused: only the holder of the product's private key can
//     sign one, and the signature is checked before anything in it is believed.
//   - A token copied from another machine is refused: it is bound to that machine's fingerprint.
//   - Someone who patches the application's binary, or the SDK in it, defeats any offline check.
//     Nothing here pretends otherwise.
//   - The record's seal ([SealKey]) is keyed by values anyone can read (the product id and the
//     fingerprint), because a secret kept on the same machine would be just as readable. It
//     catches accidents and casual edits, not a user who reads this package. So the record's
//     last-seen time is not what stops a clock turned back: a local user can rewrite it, seal
//     and all.
//   - What stops it is a [ClockWitness]: the newest modification time of files the OS itself
//     keeps writing (its logs, its package database, the user's recent files; see
//     [DefaultWitnessPaths]). A user without administrator rights can rewrite the record but
//     cannot date those files back, so a clock set more than [WitnessTolerance] (26 hours) before
//     them is ErrClockRolledBack even with a forged record. The wider tolerance keeps machines
//     whose hardware clock runs in local time until the time sync from false alarms; a rollback
//     of a day or less stays possible with a forged record. An administrator can (set the clock back and
//     re-date the files, or keep the clock back until the OS has rewritten them all); so can
//     anyone who boots another system. Witnesses make tampering cost more than editing a file,
//     no more.
//   - A clock mis-set forward and then corrected leaves files dated in the future, which offline
//     look exactly like a clock turned back. They stop counting when the OS writes them again
//     (logs and journals within minutes, utmp at the next boot), and at once, for the running
//     client, when an online update's fresh token vouches for the clock
//     ([ClockWitness.Vouch]): the user is never locked out for good.
//   - The activation API carries no nonce, so a recorded server answer replayed to a client whose
//     clock is set to its time is accepted as fresh; the token's own expiry still applies.
package token
