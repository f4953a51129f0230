package licensing

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
)

// Errors of [ReleaseFile.Verify], with a *[ChecksumError] for the details.
var (
	// ErrChecksumMismatch means the file's digest or size is not the release's.
	ErrChecksumMismatch = errors.New("licensing: release file does not match its checksum")
	// ErrUnsupportedChecksum means the release's checksum is in no format Verify accepts.
	ErrUnsupportedChecksum = errors.New("licensing: release file checksum format not supported")
)

// maxReleaseFileSize bounds what ReleaseFile.Verify reads when the release gives no size: 16 GiB.
const maxReleaseFileSize = 16 << 30

// ChecksumError says why a file failed [ReleaseFile.Verify]. It matches [ErrChecksumMismatch]
// or [ErrUnsupportedChecksum].
type ChecksumError struct {
	File              string // the release file's name
	Algorithm         string // "sha256" or "sha512"; "" when the checksum's format is not supported
	Want, Got         string // the digests in lowercase hex, when the contents were compared
	WantSize, GotSize int64  // set when the size differs (GotSize: bytes read, at most WantSize+1)
	unsupported       bool
}

// Error says which file failed and how, without the file's contents.
func (e *ChecksumError) Error() string {
	switch {
	case e.unsupported:
		return fmt.Sprintf("licensing: release file %q: checksum format not supported (want hex or base64 SHA-256 or SHA-512)", e.File)
	case e.WantSize != e.GotSize:
		return fmt.Sprintf("licensing: release file %q: %d bytes read, the release says %d", e.File, e.GotSize, e.WantSize)
	}
	return fmt.Sprintf("licensing: release file %q: %s %s, the release says %s", e.File, e.Algorithm, e.Got, e.Want)
}

// Is matches ErrUnsupportedChecksum or ErrChecksumMismatch.
func (e *ChecksumError) Is(target error) bool {
	if e.unsupported {
		return target == ErrUnsupportedChecksum
	}
	return target == ErrChecksumMismatch
}

// Verify reads the downloaded file from r and checks it against f's size and its SHA-256 or
// SHA-512 checksum (hex, "sha256:hex" or "sha256-base64"); MD5, SHA-1 and "" are
// [ErrUnsupportedChecksum]. It reads at most f.Size+1 bytes (16 GiB with no size). A failed
// check is a *[ChecksumError]; a failed read returns the reader's error.
func (f ReleaseFile) Verify(ctx context.Context, r io.Reader) error {
	alg, want, ok := parseChecksum(f.Checksum)
	if !ok {
		return &ChecksumError{File: f.Name, unsupported: true}
	}
	var h hash.Hash = sha256.New()
	if alg == "sha512" {
		h = sha512.New()
	}
	limit := int64(maxReleaseFileSize)
	if f.Size > 0 {
		limit = f.Size
	}
	n, err := io.Copy(h, &ctxReader{ctx: ctx, r: io.LimitReader(r, limit+1)})
	if err != nil {
		return fmt.Errorf("licensing: read release file %q: %w", f.Name, err)
	}
	if (f.Size > 0 && n != f.Size) || n > limit {
		return &ChecksumError{File: f.Name, Algorithm: alg, WantSize: limit, GotSize: n}
	}
	got := h.Sum(nil)
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return &ChecksumError{File: f.Name, Algorithm: alg, Want: hex.EncodeToString(want), Got: hex.EncodeToString(got)}
	}
	return nil
}

// parseChecksum returns the algorithm and digest of a checksum in an accepted format.
func parseChecksum(s string) (alg string, digest []byte, ok bool) {
	s = strings.TrimSpace(s)
	lower := strings.ToLower(s)
	for _, a := range []struct{ name, prefix string }{
		{"sha256", "sha256:"}, {"sha256", "sha-256:"}, {"sha512", "sha512:"}, {"sha512", "sha-512:"},
	} {
		if strings.HasPrefix(lower, a.prefix) {
			d, err := hex.DecodeString(s[len(a.prefix):])
			return a.name, d, err == nil && len(d) == digestSize(a.name)
		}
	}
	for _, a := range []string{"sha256", "sha512"} {
		if strings.HasPrefix(lower, a+"-") {
			d, err := base64.StdEncoding.Strict().DecodeString(s[len(a)+1:])
			return a, d, err == nil && len(d) == digestSize(a)
		}
	}
	d, err := hex.DecodeString(s)
	switch {
	case err != nil:
		return "", nil, false
	case len(d) == sha256.Size:
		return "sha256", d, true
	case len(d) == sha512.Size:
		return "sha512", d, true
	}
	return "", nil, false
}

func digestSize(alg string) int {
	if alg == "sha512" {
		return sha512.Size
	}
	return sha256.Size
}

// ctxReader stops reading once ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
