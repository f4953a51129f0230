// Package licensing is what application code calls to learn, quickly and offline if need be,
// whether this machine holds a genuine, current license.
//
// See docs/LICENSING.md in the repository for the rules and their reasons: the order of the
// checks, what the cache keeps and drops, which API facts are documented and which inferred.
//
// # Start-up
//
// [New] checks the configuration. [Client.Validate] answers from the cached activation token
// with no network: signature, product, license key, this machine, the clock, and the server's
// time rules. [NeedsActivation] says when to ask the user for a license key; then
// [Client.Activate] activates this machine.
//
// # Talking to the server
//
// [Client.UpdateActivation] and [Client.Sync] update the activation, [Client.Watch] keeps it
// in sync in the background, and [Client.Deactivate] frees the seat. The app keeps neither the
// license key nor the activation id: [Update].Key "" means the cached activation's. A request
// was applied by the server exactly when an [*Activation] with Applied set comes back, whatever
// the error (a 2xx whose token did not verify included, without increments: [*UnverifiedError]);
// after [ErrOutcomeUnknown], never resend blindly ([Client.CheckApplied]). A status is the API's
// verdict only with the API's JSON error: a proxy's 404 page is [ErrBadResponse], and drops
// nothing.
//
// # Trials and release updates
//
// [Client.ActivateTrial], [Client.ValidateTrial] and [Client.ValidateLicenseOrTrial] handle a
// trial, cached beside the license. [Client.CheckReleaseUpdate] asks for a newer release, and
// [ReleaseFile.Verify] checks a downloaded file.
//
// # Sign-in
//
// [Client.SignIn] (e-mail, password, second-factor code) and [Client.SignInOIDC] (an id token)
// return a [Session] that lists the user's licenses ([Session.Licenses]) and activates one
// ([Session.Activate]), the user's credentials included for a named-user license. A release
// this license may not install is a [*ReleaseNotAllowedError], never a [*Release].
//
// # Errors
//
// Sentinels for errors.Is ([ErrExpired], ...), details for errors.As ([*APIError],
// [*RateLimitError], [*ValidationError], [*UnverifiedError]). [StateOf] maps any result to the [State] the user
// interface shows. No error, log line or print holds a license key or a token.
//
// # Testing
//
// Package licensingtest is a fake activation server with fault injection, for the app's tests.
package licensing
