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

// defaultBaseURL is the activation API's US region. The EU region is
// "https://api.eu.cryptlex.com"; on-premise servers have their own.
const defaultBaseURL = "https://api.cryptlex.com"

// Config says which product a [Client] licenses and how it reaches the server. Zero values
// mean the defaults. The API's EU region is BaseURL "https://api.eu.cryptlex.com".
type Config struct {
	ProductID  string                // required
	PublicKey  string                // required: the product's RSA public key, PEM or base64 DER
	BaseURL    string                // default "https://api.cryptlex.com"; http:// only for loopback hosts
	AppID      string                // salts fingerprint and user hash; default ProductID
	HTTPClient *http.Client          // optional; never modified
	Store      store.Store           // default: OS keychain, falling back to a private file store
	Retry      transport.RetryPolicy // zero value = defaults
	Logger     *slog.Logger          // nil = silent
	Now        func() time.Time      // nil = time.Now; set: no witnesses by default and no boot clock (they speak of the real clock)
	Machine    *fingerprint.Machine  // nil = collect this machine's signals; set = a custom identity

	// AppName names the default store's keychain service and folder (see store.CheckAppName);
	// default AppID, or ProductID where AppID is no plain folder name.
	AppName string
	// ClockWitnesses are files the clock must not be 15 h behind (nil: the OS's logs, none if
	// Now is set; empty: none).
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
	if cfg.AppID == "" {
		cfg.AppID = cfg.ProductID
	}
	switch {
	case cfg.AppName != "":
		if err := store.CheckAppName(cfg.AppName); err != nil {
			problems = append(problems, fmt.Errorf("AppName: %w", err))
		}
	case cfg.Store != nil: // the default store is not made: AppName names nothing
	case store.CheckAppName(cfg.AppID) == nil:
		cfg.AppName = cfg.AppID
	case store.CheckAppName(cfg.ProductID) == nil:
		cfg.AppName = cfg.ProductID
	default:
		problems = append(problems, errors.New("AppName is required: neither AppID nor ProductID is a plain folder name to name the default store"))
	}
	if len(problems) > 0 {
		return p, fmt.Errorf("licensing: invalid config: %w", errors.Join(problems...))
	}
	return p, nil
}

func (cfg *Config) baseURL() string {
	if cfg.BaseURL == "" {
		return defaultBaseURL
	}
	return cfg.BaseURL
}
