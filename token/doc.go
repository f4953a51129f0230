// Package token verifies activation tokens offline and stores them.
//
// An activation token is an RS256 JSON Web Token that the activation API signs with the
// product's RSA key. [ParsePublicKey] reads that key as the dashboard shows it.
package token
