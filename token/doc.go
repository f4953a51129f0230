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
// OS keychain (values up to 1 MiB, bounded in time), [NewFileStore] in a private file,
// [NewMemoryStore] in memory, and [NewDefaultStore] one cache over the keychain and the file.
//
// A keychain store never starts a process to find out whether a keychain exists: on Linux
// there is none when DBUS_SESSION_BUS_ADDRESS names no live bus and $XDG_RUNTIME_DIR/bus does
// not exist (nor when the bus has no Secret Service, or it has no default collection). On a
// live session bus, a Secret Service that is installed but not yet running is started by the
// bus itself, as the desktop does on first use; it belongs to the session, not to the app.
// It never opens an unlock prompt: a locked keychain is [ErrUnavailable]. After a
// failure it does not call the keychain again for a second, doubling up to
// [DefaultKeychainBackoff], and a success resets the wait; calls meanwhile fail at once, so
// an app that validates in a loop costs nothing. Each backend has its item size: one item
// holds a whole value in the Secret Service, 2560 bytes on Windows, 2800 on macOS. A save's
// time limit grows with its size; one that runs out of time makes no further write, and a
// load sees the old value or the new one, whole and checksummed. Every size a stored value
// declares is checked against hard limits before anything is allocated.
//
// # One cache, two backends
//
// The default store is one cache per machine and user, whichever backend answered. Each value
// it saves is stamped with the time of the save (Unix nanoseconds, and always later than any
// stamp the store has seen); values of earlier versions, unstamped, count as oldest.
//
//   - Save writes to the keychain. When that succeeds, an older copy in the file is removed.
//     When the keychain is absent or fails, the value goes to the file.
//   - Load reads both. The newer stamp wins, whichever backend holds it; on a tie the
//     keychain's. A newer value in the file is moved into the keychain and the file removed;
//     an older one is removed. So a start that saved to the file while the keychain was down
//     is not shadowed later by the keychain's older value, and what the keychain holds is seen
//     again once it is back.
//   - When the keychain cannot be read now (locked, timed out, backing off), the file's value
//     is used if there is one; if there is none, Load returns [ErrUnavailable], never
//     [ErrNotFound]: the keychain may hold a value (licensing reports ErrCacheUnavailable, not
//     "not activated"). Where no keychain exists in the session, the file alone answers.
//   - Delete removes the value from both. When the keychain cannot delete, a stamped
//     tombstone in the file outvotes its value until it can.
//
// Two processes may use the store at once: each write replaces a whole item or file, and a
// load that meets a value being replaced reads it again; the last save wins. Stamps come from
// the wall clock: a clock set back between two saves can let the older one win.
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
//     of a day or less stays possible with a forged record. An administrator can do more (set
//     the clock back and re-date the files, or keep the clock back until the OS has rewritten
//     them all); so can anyone who boots another system. Witnesses make tampering cost more
//     than editing a file, no more.
//   - A clock mis-set forward and then corrected leaves files dated in the future, which offline
//     look exactly like a clock turned back. They stop counting when the OS writes them again
//     (logs and journals within minutes, utmp at the next boot), and at once, for the running
//     client, when an online update's fresh token vouches for the clock
//     ([ClockWitness.Vouch]): the user is never locked out for good.
//   - The activation API carries no nonce, so a recorded server answer replayed to a client whose
//     clock is set to its time is accepted as fresh; the token's own expiry still applies.
package token
