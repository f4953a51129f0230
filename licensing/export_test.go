package licensing

import "github.com/tollgate-dev/tollgate/fingerprint"

// EncodeUpdate checks u against every rule of the reference page and returns the JSON body of
// PATCH /v3/activations/{id}, or a *ValidationError listing every problem: for tests, which
// compare bodies without a server.
func EncodeUpdate(productID string, m fingerprint.Machine, u Update) ([]byte, error) {
	if fields := validateUpdate(nil, productID, &m, &u); len(fields) > 0 {
		return nil, &ValidationError{Fields: fields}
	}
	return updateBody(productID, &m, &u), nil
}

// EncodeTrialRequest is EncodeUpdate for the body of both trial requests.
func EncodeTrialRequest(productID string, m fingerprint.Machine, r TrialRequest) ([]byte, error) {
	if fields := validateTrial(nil, productID, &m, &r); len(fields) > 0 {
		return nil, &ValidationError{Fields: fields}
	}
	return encodeTrial(productID, &m, &r), nil
}
