package fingerprint

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/tollgate-dev/tollgate/internal/atomicfile"
)

// protect returns hex(HMAC-SHA256(key = id, message = appID)): the construction of
// machineid.ProtectedID, so that a fingerprint from a machine id equals what that function
// returns for the same id.
func protect(appID, id string) string {
	mac := hmac.New(sha256.New, []byte(id))
	mac.Write([]byte(appID))
	return hex.EncodeToString(mac.Sum(nil))
}

// knownSharedIDs are machine ids that many machines carry: values written into published
// images, and values of firmware that never set one. They are compared after normalising to
// lowercase hex without dashes.
var knownSharedIDs = map[string]bool{
	"00000000000000000000000000000000": true,
	"ffffffffffffffffffffffffffffffff": true,
	"88544b92092430bc5d3fbbffc12a2f04": true, // debian:11.2 and 11.2-slim images
	"85f94e57ab75f80918cab17d001eac85": true, // debian:11.1 images
	"03000200040005000006000700080009": true, // DMI product UUID of boards whose firmware sets none
	"12345678123456781234567812345678": true,
}

// normalizeID returns id trimmed, lowercased and without dashes or braces, or "" when it is not
// a usable machine id: empty, "uninitialized" (systemd's first boot), shorter than 16 hex digits,
// not hexadecimal, one digit repeated, or known to be shared.
func normalizeID(id string) string {
	id = strings.ToLower(strings.TrimSpace(id))
	id = strings.NewReplacer("-", "", "{", "", "}", "").Replace(id)
	if len(id) < 16 || len(id) > 128 {
		return ""
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return ""
		}
	}
	if strings.Count(id, id[:1]) == len(id) || knownSharedIDs[id] {
		return ""
	}
	return id
}

// installIDFile is where the fallback install id is kept, below os.UserConfigDir.
const installIDFile = "tollgate/install-id"

// errNoInstallID is returned when no install id can be read or created.
var errNoInstallID = errors.New("fingerprint: no usable machine id, and no install id could be kept")

// fileInstallID reads the install id kept under dir, creating it (32 random hex digits, mode
// 0600 in a private directory) when it is missing or unusable. Concurrent first runs, in this
// process or others, agree on one id: the first one placed wins. The file is read and replaced
// through internal/atomicfile, so a reader holding it on Windows neither makes a creation fail
// nor leaves a temporary file behind.
func fileInstallID(ctx context.Context, dir string) (string, error) {
	if dir == "" {
		d, err := os.UserConfigDir()
		if err != nil {
			return "", fmt.Errorf("%w: %v", errNoInstallID, err)
		}
		dir = d
	}
	path := filepath.Join(dir, filepath.FromSlash(installIDFile))
	read := func(ctx context.Context) string {
		b, err := atomicfile.ReadFile(ctx, path, maxInstallIDFile)
		if err != nil {
			return ""
		}
		return normalizeID(string(b))
	}
	// An id already placed, the common case, is read under the caller's ctx: one read bounds its
	// own sharing-violation retries (atomicfile.RetryFor), and no timer is started for it.
	if id := read(ctx); id != "" {
		return id, nil
	}
	// Creating one takes several steps, bounded together: the caller's ctx, and at most this long
	// for the sharing-violation retries.
	ctx, cancel := context.WithTimeout(ctx, 2*atomicfile.RetryFor)
	defer cancel()
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", fmt.Errorf("%w: %v", errNoInstallID, err)
	}
	id := hex.EncodeToString(raw[:])
	if err := atomicfile.MkdirPrivate(filepath.Dir(path)); err != nil {
		return "", fmt.Errorf("%w: %v", errNoInstallID, err)
	}
	err := atomicfile.WriteNew(ctx, path, []byte(id+"\n"), 0o600)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, fs.ErrExist) {
		return "", fmt.Errorf("%w: %v", errNoInstallID, err)
	}
	// Another run placed one meanwhile: keep it, unless it is unusable (corrupt, not a
	// regular file), which is replaced. Two runs replacing the same corrupt file at once
	// both return what is there after their own replace, which is the last one's.
	if existing := read(ctx); existing != "" {
		return existing, nil
	}
	if err := atomicfile.WriteFile(ctx, path, []byte(id+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("%w: %v", errNoInstallID, err)
	}
	if existing := read(ctx); existing != "" {
		return existing, nil
	}
	return id, nil
}

// maxInstallIDFile bounds what is read of the install id's file: an id is at most 128 hex
// digits, with dashes, braces and spaces around it.
const maxInstallIDFile = 1024
