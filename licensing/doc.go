// Package licensing is what application code calls to learn, quickly and offline if need be,
// whether this machine holds a genuine, current license.
//
// # Start-up
//
// [New] checks the configuration once. [Client.Validate] then answers from the cached activation
// token with no network: it verifies the token's RS256 signature against the product's public
// key, that it belongs to this product, license key and machine, that the clock was not turned
// back, and the server's time rules (lease, sync grace period, expiry, suspension). A client
// verifies a cached record once: while the stored bytes stay the same, later calls reuse the
// verified claims and only rerun the binding, clock and time checks. New builds no HTTP client,
// and Validate reads only the machine's fingerprint ([fingerprint.CollectFingerprint]): the
// first request builds the one and collects every signal it sends (see [Client.Machine]).
//
// # Talking to the server
//
// [Client.Activate] activates this machine, [Client.UpdateActivation] sends
// PATCH /v3/activations/{id} (checked against every rule of the reference page first, every
// problem at once as a [*ValidationError]), [Client.Sync] does so for the cached activation,
// [Client.Watch] keeps the activation in sync in the background, and [Client.Deactivate] frees
// the seat. The app keeps neither the license key nor the activation id: [Update].Key "" means
// the cached activation's, and a floating lease that lapsed offline is renewed with it.
//
// Every method says which results mean that the server applied the request: an [*Activation]
// with Applied set, whatever the error (a license that expired still counts a metered use). Every token the server returns is verified
// before it is cached, and a request carrying meter increments is never sent twice when it may
// already have been applied: see [ErrOutcomeUnknown].
//
// # Trials and release updates
//
// [Client.ActivateTrial] starts this machine's trial (POST /v3/trial-activations),
// [Client.ValidateTrial] checks it offline and [Client.SyncTrial] syncs it; the trial is cached
// beside the license activation, and [Client.ValidateLicenseOrTrial] answers with the license
// whenever one is cached. [Client.CheckReleaseUpdate] asks GET /v3/releases/update for a newer
// release, and [ReleaseFile.Verify] checks a downloaded file against the release's checksum.
// The endpoints, their bodies, queries and error codes are documented by the vendor; the trial
// answer's shape and its token's claims are inferred from third-party clients, and each
// method's documentation says which is which.
//
// # Errors
//
// Errors are sentinels for errors.Is ([ErrExpired], [ErrLicenseRevoked], ...) and typed details
// for errors.As ([*APIError], [*RateLimitError], [*ValidationError]). [StateOf] turns any of
// them into the [State] the user interface shows: licensed, expired, fix the clock, cache
// unavailable, needs a license, and so on. [ErrGracePeriodOver],
// [ErrExpired] and [ErrSuspended] come with the genuine [*Activation]. No error, log line or
// printed [Activation] holds a license key or a token: the transport removes them from the
// server's text where it enters; [Activation] keeps its token in a [secret.Value], which never
// prints, and [Update], [ActivationRequest] and [Client] print without them through fmt,
// log/slog and encoding/json.
//
// # The cache
//
// One type, cache (cache.go), is the only code that reads or writes [Config.Store]: the
// license activation's record and the trial's, each one versioned JSON envelope
// (internal/record) holding the token, its license key and the time of the last check, sealed
// with an HMAC keyed by the product and the fingerprint, or, after a floating lease lapsed,
// the activation id and key alone. The default store is named after the app
// ([Config.AppName]): the keychain service, and the folder under os.UserConfigDir(). There is
// no migration from earlier formats: a value in another format reads as nothing cached.
//
// # Clock
//
// [Client.Validate] refuses a clock turned back ([ErrClockRolledBack]): behind the last
// recorded check by more than an hour, or behind the newest file the OS has written by more
// than a day ([Config.ClockWitnesses]; the threat model is docs/THREAT-MODEL.md).
//
// # Testing
//
// Package licensingtest is a fake activation server with a real key pair and fault injection,
// for the application's own tests.
package licensing
