package licensing

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tollgate-dev/tollgate/fingerprint"
	"github.com/tollgate-dev/tollgate/token"
	"github.com/tollgate-dev/tollgate/transport"
)

// DefaultBaseURL is the activation API's US region. The EU region is
// "https://api.eu.cryptlex.com"; on-premise servers have their own.
const DefaultBaseURL = "https://api.cryptlex.com"

// Config says which product a [Client] licenses and how it reaches the server.
// Zero values mean the documented defaults.
type Config struct {
	ProductID  string                // required
	PublicKey  string                // required: the product's RSA public key, PEM or base64 DER
	BaseURL    string                // default "https://api.cryptlex.com"; http:// only for loopback hosts
	AppID      string                // salts fingerprint and user hash; default ProductID
	HTTPClient *http.Client          // optional; never modified
	Store      token.Store           // default: OS keychain, falling back to a private file store
	Retry      transport.RetryPolicy // zero value = defaults
	Logger     *slog.Logger          // nil = silent
	Now        func() time.Time      // nil = time.Now
	Machine    *fingerprint.Machine  // nil = collect this machine's signals; set = a custom identity
}

// parsedConfig is what New derives from a Config once.
type parsedConfig struct {
	key     *rsa.PublicKey
	baseURL *url.URL
}

func (cfg *Config) parse() (parsedConfig, error) {
	var p parsedConfig
	var problems []error
	switch {
	case cfg.ProductID == "":
		problems = append(problems, errors.New("ProductID is required"))
	case !utf8.ValidString(cfg.ProductID) || utf8.RuneCountInString(cfg.ProductID) > maxShort:
		problems = append(problems, errors.New("ProductID must be valid UTF-8 of at most 256 characters"))
	}
	key, err := token.ParsePublicKey(cfg.PublicKey)
	if err != nil {
		problems = append(problems, fmt.Errorf("PublicKey: %w", err))
	}
	p.key = key
	base := cfg.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := parseBaseURL(base)
	if err != nil {
		problems = append(problems, err)
	}
	p.baseURL = u
	if len(problems) > 0 {
		return p, fmt.Errorf("licensing: invalid config: %w", errors.Join(problems...))
	}
	return p, nil
}

// parseBaseURL accepts https URLs, and http URLs whose host is a loopback address or localhost.
// A path prefix is kept; user info, a query and a fragment are refused.
func parseBaseURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, errors.New("BaseURL is not a URL")
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, errors.New("BaseURL must use https")
	case u.Host == "" || u.Opaque != "":
		return nil, errors.New("BaseURL must name a host")
	case u.User != nil:
		return nil, errors.New("BaseURL must not hold user info")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, errors.New("BaseURL must not hold a query or fragment")
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		return nil, errors.New("BaseURL must use https (http is allowed only for loopback hosts)")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
