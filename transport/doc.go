// Package transport is the HTTP layer under package licensing: it sends activation requests,
// retries them only when that is safe, and turns the server's answers into typed errors.
package transport
