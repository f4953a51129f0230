package transport

import (
	"errors"
	"net/url"
	"strings"
)

// hideQuery removes the query from the URL that net/http puts into a *url.Error, before the
// error is wrapped and its text fixed. A query may carry a secret (GET /v3/releases/update
// sends the license key there); the method and path say enough about which request failed.
func hideQuery(err error) {
	var ue *url.Error
	if errors.As(err, &ue) {
		if i := strings.IndexByte(ue.URL, '?'); i >= 0 {
			ue.URL = ue.URL[:i] + "?[query removed]"
		}
	}
}
