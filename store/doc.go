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
// On Linux and the BSDs the store speaks to the Secret Service itself over D-Bus: it never
// starts a session bus, never opens an unlock prompt, and a call that times out leaves nothing
// running. Elsewhere it uses go-keyring, whose calls cannot be interrupted: one that never
// returns costs one parked goroutine, and a save that ran out of time stops before its next
// keychain write.
//
// # Files
//
// [NewFile] writes each value to a temporary file and moves it into place, so that a reader or
// a crash sees the old value or the new one, never a mix. Two processes may read and save at
// once; on Windows a reader holding the file (this store, another instance of the app, an
// antivirus) does not make a save fail: files are read with FILE_SHARE_DELETE and a replace is
// retried for up to two seconds. Load opens only regular files, without blocking: a FIFO,
// device or directory where a value should be wraps [ErrCorrupt] at once.
//
// Who can read it: on Unix the file is mode 0600 in a directory of mode 0700; Save tightens a
// directory of the user's own that others could enter, and refuses, wrapping
// [ErrInsecureStore], one owned by another user or writable by others that it cannot tighten;
// Load does the same with a directory that exists. On Windows, modes mean nothing: what
// protects the file is the ACL of the per-user %AppData% folder, which grants access to the
// user, SYSTEM and Administrators only and is inherited by the store's directory. Load and Save
// refuse a directory owned by another user, or whose ACL lets Everyone, Users, Authenticated
// Users, Guests or Anonymous write it.
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
