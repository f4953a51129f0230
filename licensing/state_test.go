package licensing

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/errs"
	"github.com/tollgate-dev/tollgate/store"
)

// sentinels names every exported error of the package. TestEverySentinelHasAState checks it
// against the source, so a sentinel added without a state fails there.
var sentinels = map[string]error{
	"ErrNotActivated": ErrNotActivated, "ErrTokenInvalid": ErrTokenInvalid,
	"ErrFingerprintMismatch": ErrFingerprintMismatch, "ErrClockOutOfSync": ErrClockOutOfSync,
	"ErrClockRolledBack": ErrClockRolledBack, "ErrLeaseExpired": ErrLeaseExpired,
	"ErrGracePeriodOver": ErrGracePeriodOver, "ErrExpired": ErrExpired, "ErrSuspended": ErrSuspended,
	"ErrActivationNotFound": ErrActivationNotFound, "ErrRateLimited": ErrRateLimited,
	"ErrOutcomeUnknown": ErrOutcomeUnknown, "ErrInvalidRequest": ErrInvalidRequest,
	"ErrNotCached": ErrNotCached, "ErrUnverified": ErrUnverified, "ErrBadResponse": ErrBadResponse, "ErrCacheUnavailable": ErrCacheUnavailable,
	"ErrActivationLimitReached": ErrActivationLimitReached, "ErrMeterLimitReached": ErrMeterLimitReached,
	"ErrLicenseRevoked": ErrLicenseRevoked, "ErrInvalidLicenseKey": ErrInvalidLicenseKey,
	"ErrInvalidLicenseType": ErrInvalidLicenseType, "ErrInvalidProductID": ErrInvalidProductID,
	"ErrVMNotAllowed": ErrVMNotAllowed, "ErrContainerNotAllowed": ErrContainerNotAllowed,
	"ErrAuthenticationFailed": ErrAuthenticationFailed, "ErrCountryNotAllowed": ErrCountryNotAllowed,
	"ErrIPAddressNotAllowed": ErrIPAddressNotAllowed, "ErrTrialNotAllowed": ErrTrialNotAllowed,
	"ErrTrialActivationLimitReached": ErrTrialActivationLimitReached,
	"ErrDeactivationLimitReached":    ErrDeactivationLimitReached,
	"ErrChecksumMismatch":            ErrChecksumMismatch, "ErrUnsupportedChecksum": ErrUnsupportedChecksum,
	"ErrStaleToken": ErrStaleToken,
}

// exportedErrors returns the names of the exported package-level variables of type error (by
// name: Err...) declared in dir's non-test files, and those of internal/errs.
func exportedErrors(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		file, err := parser.ParseFile(fset, f, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok.String() != "var" {
				continue
			}
			for _, sp := range g.Specs {
				for _, n := range sp.(*ast.ValueSpec).Names {
					if n.IsExported() && strings.HasPrefix(n.Name, "Err") {
						names = append(names, n.Name)
					}
				}
			}
		}
	}
	slices.Sort(names)
	return names
}

// TestEverySentinelHasAState enumerates the exported sentinels from the source and fails when
// one has no State of its own (the fallback for unclassified errors does not count), or when
// internal/errs holds a category that licensing does not export.
func TestEverySentinelHasAState(t *testing.T) {
	t.Parallel()
	declared := exportedErrors(t, ".")
	for _, name := range declared {
		e, ok := sentinels[name]
		if !ok {
			t.Errorf("%s is exported but not listed in sentinels (and so not checked for a State)", name)
			continue
		}
		if _, ok := ruleFor(e); !ok {
			t.Errorf("%s has no State: add it to stateRules", name)
		}
		// Wrapped, as the SDK returns it, it keeps its state.
		if got, want := StateOf(fmt.Errorf("licensing: context: %w", e)), StateOf(e); got != want {
			t.Errorf("%s wrapped: %v, bare: %v", name, got, want)
		}
	}
	for name := range sentinels {
		if !slices.Contains(declared, name) {
			t.Errorf("sentinels lists %s, which the package does not declare", name)
		}
	}
	for _, name := range exportedErrors(t, filepath.Join("..", "internal", "errs")) {
		if _, ok := sentinels[name]; !ok {
			t.Errorf("internal/errs.%s is not exported by licensing", name)
		}
	}
}

func TestStateOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		want State
	}{
		{nil, StateLicensed},
		{fmt.Errorf("%w; %w: keychain locked", ErrExpired, ErrNotCached), StateExpired},
		{fmt.Errorf("%w: keychain locked", ErrNotCached), StateLicensed},
		{fmt.Errorf("%w: %w", ErrNotCached, store.ErrUnavailable), StateLicensed},
		{fmt.Errorf("%w: %w", ErrNotCached, ErrCacheUnavailable), StateLicensed},
		{fmt.Errorf("%w: %w", ErrNotActivated, ErrCacheUnavailable), StateCacheUnavailable},
		{fmt.Errorf("%w: the cache cannot be read: %w", ErrNotActivated, store.ErrUnavailable), StateCacheUnavailable},
		{fmt.Errorf("%w: dropped", ErrOutcomeUnknown), StateOutcomeUnknown},
		{&ValidationError{Fields: []FieldError{{"key", "is required"}}}, StateInvalidRequest},
		{&APIError{StatusCode: 400, Code: "REVOKED_LICENSE"}, StateNeedsLicense},
		{&APIError{StatusCode: 400, Code: "VM_ACTIVATION_NOT_ALLOWED"}, StateRefused},
		{&APIError{StatusCode: 400, Code: "SOMETHING_NEW"}, StateRefused},
		{&APIError{StatusCode: 404}, StateNeedsLicense},
		{&APIError{StatusCode: 503}, StateRetryLater},
		{&APIError{StatusCode: 408}, StateRetryLater},
		{&RateLimitError{RetryAfter: 1}, StateRetryLater},
		{errors.New("dial tcp: connection refused"), StateRetryLater},
		{context.DeadlineExceeded, StateRetryLater},
		{fmt.Errorf("at 12:00: %w", errs.ErrLeaseExpired), StateLeaseExpired},
	} {
		if got := StateOf(tc.err); got != tc.want {
			t.Errorf("StateOf(%v) = %v, want %v", tc.err, got, tc.want)
		}
		if got := NeedsActivation(tc.err); got != (tc.want == StateNeedsLicense) {
			t.Errorf("NeedsActivation(%v) = %v", tc.err, got)
		}
	}
}

func TestStateString(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for s := StateLicensed; s <= StateInvalidRequest; s++ {
		name := s.String()
		if name == "" || strings.HasPrefix(name, "State(") || seen[name] {
			t.Errorf("State %d has name %q", int(s), name)
		}
		seen[name] = true
	}
	if got := State(99).String(); got != "State(99)" {
		t.Errorf("unknown state: %q", got)
	}
}

// TestReadmeSwitchCoversEveryState: the README's error switch has a case for every State.
func TestReadmeSwitchCoversEveryState(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range exportedConsts(t, ".", "State") {
		if !strings.Contains(string(readme), "licensing."+name) {
			t.Errorf("the README's switch has no case for %s", name)
		}
	}
}

// exportedConsts returns the names of the exported constants of dir's non-test files that
// start with prefix.
func exportedConsts(t *testing.T, dir, prefix string) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	var out []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(token.NewFileSet(), f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok.String() == "const" {
				for _, sp := range g.Specs {
					for _, n := range sp.(*ast.ValueSpec).Names {
						if n.IsExported() && strings.HasPrefix(n.Name, prefix) && n.Name != prefix {
							out = append(out, n.Name)
						}
					}
				}
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("no constants found")
	}
	return out
}
