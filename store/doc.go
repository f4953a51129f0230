// Package store keeps the activation cache's values between runs: in the OS keychain, a private
// file, or memory.
//
// A [Store] keeps named values: [NewKeychain] in the OS keychain (values up to 1 MiB, bounded in
// time), [NewFile] in a private file, [NewMemory] in memory, and [NewDefault] one cache over the
// keychain and the file. The backends themselves (the Secret Service client, go-keyring) live in
// internal/keyring, one file each.
//
// # Keychains
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
// holds a whole value in the Secret Service, 2560 bytes on Windows, 2800 on macOS. A value that
// fits in one item is stored as it is; a longer one is split into chunks written before a small
// JSON manifest that names them and their SHA-256. A save's time limit grows with its size; one
// that runs out of time makes no further write, and a load sees the old value or the new one,
// whole (a chunked one checksummed). Every size a manifest declares is checked against hard
// limits before anything is allocated.
// A save that runs out of time after writing some chunks, or loses a race with another
// process's save, leaves chunks that no manifest names: [Store.Delete] does not find them, and
// they hold part of a value until the same generation name comes again. Only values over one
// item are chunked (the Secret Service keeps any value whole; an activation's record fits one
// item on Windows and macOS unless its token is unusually large).
//
// # One cache, two backends
//
// The default store is one cache per machine and user, whichever backend answered, named after
// the app ([NewDefault]). It keeps licensing's envelopes (internal/record), each stamped by its
// writer with the time of the save (Unix nanoseconds, later than any stamp the writer has
// read); it reads the stamp from the envelope, and a value that is not one counts as oldest.
//
//   - Save writes to the keychain. When that succeeds, an older copy in the file is removed.
//     When the keychain is absent or fails, the value goes to the file.
//   - Load reads both. The newer stamp wins, whichever backend holds it; on a tie the
//     keychain's. A newer value in the file is moved into the keychain and the file removed;
//     an older one is removed. So a start that saved to the file while the keychain was down
//     is not shadowed later by the keychain's older value, and what the keychain holds is seen
//     again once it is back.
//   - When the keychain cannot be read now (locked, timed out, backing off), the file's value
//     is used if it is an envelope; if there is none, Load returns [ErrUnavailable], never
//     [ErrNotFound]: the keychain may hold a value (licensing reports ErrCacheUnavailable, not
//     "not activated"). Where no keychain exists in the session, the file alone answers.
//   - Delete removes the value from both. When the keychain cannot delete, a tombstone
//     envelope in the file, stamped later than anything the store has seen, outvotes its
//     value until it can.
//
// Two processes may use the store at once: each write replaces a whole item or file, and a
// load that meets a value being replaced reads it again; the last save wins. Stamps come from
// the wall clock: a clock set back between two saves can let the older one win.
package store
