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

// Errors of [ReleaseFile.Verify].
var (
	// ErrChecksumMismatch: the file read is not the release's file (its digest or its size
	// differs). The *[ChecksumError] says how.
	ErrChecksumMismatch = errors.New("licensing: release file does not match its checksum")
	// ErrUnsupportedChecksum: the release's checksum is in no format Verify accepts, so the file
	// cannot be checked. The *[ChecksumError] holds the checksum's shape, not the file.
	ErrUnsupportedChecksum = errors.New("licensing: release file checksum format not supported")
)

// maxReleaseFileSize bounds what [ReleaseFile.Verify] reads when the release gives no size: 16 GiB.
const maxReleaseFileSize = 16 << 30

// ChecksumError says why a downloaded file failed [ReleaseFile.Verify]. It matches
// [ErrChecksumMismatch] or [ErrUnsupportedChecksum] through errors.Is.
type ChecksumError struct {
	File      string // the release file's name
	Algorithm string // "sha256" or "sha512"; "" when the checksum's format is not supported
	// Want and Got are the digests in lowercase hex, when the contents were compared.
	Want, Got string
	// WantSize and GotSize are set when the file is longer or shorter than the release says
	// (GotSize is then the bytes read, at most WantSize+1).
	WantSize, GotSize int64
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

// Verify reads the downloaded file from r and checks it against f's size and checksum.
//
// Checksum formats accepted (the API says only "checksum"; these are the usual spellings):
//
//   - SHA-256 or SHA-512 as bare hexadecimal, either case: 64 or 128 digits, the algorithm told
//     by the length;
//   - the same behind an algorithm prefix: "sha256:…", "sha512:…" (also "SHA-256:…");
//   - Subresource Integrity: "sha256-<base64>", "sha512-<base64>".
//
// MD5 and SHA-1 (32 or 40 hex digits) are refused with [ErrUnsupportedChecksum]: they no
// longer prove that a file is the one published, and a check that cannot fail is worse than
// none. So is an empty checksum.
//
// Reading is bounded: when f.Size is set, at most f.Size+1 bytes are read, and a file longer or
// shorter than f.Size fails; with no size, at most [maxReleaseFileSize] bytes. ctx is checked
// between reads. A failed check is a *[ChecksumError]; a failed read returns the reader's error.
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
