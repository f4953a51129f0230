//go:build !windows && !darwin

package fingerprint

import (
	"context"
)

// readNative is used only on Windows and macOS (and iOS, which builds the darwin file).
func readNative(context.Context) (nativeInfo, error) {
	return nativeInfo{}, ErrUnsupportedOS
}

// readNativeIDs is used only on Windows and macOS.
func readNativeIDs(context.Context) ([]idCandidate, error) {
	return nil, ErrUnsupportedOS
}
