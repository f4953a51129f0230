package licensing

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"
	"unicode/utf8"

	"github.com/tollgate-dev/tollgate/fingerprint"
	"github.com/tollgate-dev/tollgate/store"
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
	Store      store.Store           // default: OS keychain, falling back to a private file store
	Retry      transport.RetryPolicy // zero value = defaults
	Logger     *slog.Logger          // nil = silent
	Now        func() time.Time      // nil = time.Now
	Machine    *fingerprint.Machine  // nil = collect this machine's signals; set = a custom identity

	// ClockWitnesses are the files whose newest modification time Validate takes as a time this
	// machine has already reached (see witness.Witness): a clock more than
	// witness.Tolerance (26 hours) before it is ErrClockRolledBack, even when the cached
	// record was forged. nil means
	// witness.NewDefault (the OS's logs and the like) when Now is nil, and none when Now
	// is set, since the OS's files say nothing about a clock of the caller's; an empty non-nil
	// slice turns the check off.
	ClockWitnesses []string
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
	u, err := transport.ParseBaseURL(cfg.baseURL())
	if err != nil {
		problems = append(problems, err)
	}
	p.baseURL = u
	if len(problems) > 0 {
		return p, fmt.Errorf("licensing: invalid config: %w", errors.Join(problems...))
	}
	return p, nil
}

func (cfg *Config) baseURL() string {
	if cfg.BaseURL == "" {
		return DefaultBaseURL
	}
	return cfg.BaseURL
}
