package licensing_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/licensing"
)

func TestReleaseFileVerifyFormats(t *testing.T) {
	t.Parallel()
	data := []byte("the release's bytes\n")
	s256, s512 := sha256.Sum256(data), sha512.Sum512(data)
	h256, h512 := hex.EncodeToString(s256[:]), hex.EncodeToString(s512[:])
	for _, sum := range []string{
		h256, strings.ToUpper(h256), "sha256:" + h256, "SHA256:" + h256, "sha-256:" + h256, " " + h256 + "\n",
		h512, "sha512:" + h512, "SHA-512:" + strings.ToUpper(h512),
		"sha256-" + base64.StdEncoding.EncodeToString(s256[:]), "sha512-" + base64.StdEncoding.EncodeToString(s512[:]),
	} {
		for _, size := range []int64{0, int64(len(data))} {
			f := licensing.ReleaseFile{Name: "app.zip", Checksum: sum, Size: size}
			if err := f.Verify(context.Background(), bytes.NewReader(data)); err != nil {
				t.Errorf("checksum %q, size %d: %v", sum, size, err)
			}
			// One byte changed fails, whatever the format.
			other := bytes.Clone(data)
			other[3] ^= 1
			var ce *licensing.ChecksumError
			if err := f.Verify(context.Background(), bytes.NewReader(other)); !errors.Is(err, licensing.ErrChecksumMismatch) ||
				!errors.As(err, &ce) || ce.Algorithm == "" || ce.Got == ce.Want || ce.File != "app.zip" {
				t.Errorf("checksum %q: a changed file: %v", sum, err)
			}
		}
	}
}

func TestReleaseFileVerifyRefusesWeakOrUnknownChecksums(t *testing.T) {
	t.Parallel()
	data := []byte("x")
	m, s1, s256 := md5.Sum(data), sha1.Sum(data), sha256.Sum256(data)
	for _, sum := range []string{
		"", hex.EncodeToString(m[:]), hex.EncodeToString(s1[:]), "md5:" + hex.EncodeToString(m[:]),
		"sha256:" + hex.EncodeToString(s256[:31]),                   // too short
		hex.EncodeToString(s256[:]) + "00",                          // 66 digits
		"sha256-" + base64.RawStdEncoding.EncodeToString(s256[:]),   // unpadded: not SRI
		"sha256-" + base64.URLEncoding.EncodeToString(s256[:])[:10], // truncated
		"sha512:" + hex.EncodeToString(s256[:]),                     // the wrong length for the algorithm
		"crc32:00000000", "zz" + hex.EncodeToString(s256[:])[2:],    // not hex
	} {
		f := licensing.ReleaseFile{Name: "a", Checksum: sum}
		err := f.Verify(context.Background(), bytes.NewReader(data))
		if !errors.Is(err, licensing.ErrUnsupportedChecksum) || errors.Is(err, licensing.ErrChecksumMismatch) {
			t.Errorf("checksum %q: want ErrUnsupportedChecksum, got %v", sum, err)
		}
	}
}

// endless is an input that never ends, counting what was read from it.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	e.n += int64(len(p))
	return len(p), nil
}

func TestReleaseFileVerifyReadsABoundedAmount(t *testing.T) {
	t.Parallel()
	sum := sha256.Sum256([]byte("abcd"))
	f := licensing.ReleaseFile{Name: "a", Checksum: hex.EncodeToString(sum[:]), Size: 4}
	src := &endless{}
	var ce *licensing.ChecksumError
	err := f.Verify(context.Background(), src)
	if !errors.As(err, &ce) || !errors.Is(err, licensing.ErrChecksumMismatch) || ce.WantSize != 4 || ce.GotSize != 5 {
		t.Fatalf("an endless file: %v", err)
	}
	if src.n > 64<<10 {
		t.Fatalf("read %d bytes of a 4-byte file", src.n)
	}
	if err := f.Verify(context.Background(), strings.NewReader("abc")); !errors.As(err, &ce) || ce.GotSize != 3 {
		t.Fatalf("a short file: %v", err)
	}
	if err := f.Verify(context.Background(), strings.NewReader("abcd")); err != nil {
		t.Fatal(err)
	}
	// A failing reader's error is returned as such, not as a mismatch.
	boom := errors.New("disk on fire")
	if err := f.Verify(context.Background(), io.MultiReader(strings.NewReader("ab"), &failing{boom})); !errors.Is(err, boom) || errors.Is(err, licensing.ErrChecksumMismatch) {
		t.Fatalf("read error: %v", err)
	}
	// A cancelled ctx stops the reading.
	cctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := (licensing.ReleaseFile{Checksum: f.Checksum}).Verify(cctx, &endless{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

type failing struct{ err error }

func (f *failing) Read([]byte) (int, error) { return 0, f.err }
