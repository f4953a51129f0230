// Package releaseversion maps an application's semantic version to the release version the
// activation API accepts (two to four runs of digits: "1.4.2").
//
// It is a package of its own so that Masterminds/semver, which compiles regular expressions at
// package init (about a millisecond of every process start), is linked only into programs that
// call it. Programs that import only licensing start without it.
package releaseversion

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/Masterminds/semver/v3"
	"github.com/tollgate-dev/tollgate/licensing"
)

// Of turns an application's semantic version, as Masterminds/semver's NewVersion reads it, into
// the release version the API accepts: "v1.4.2", "1.4.2+abc" and "1.4.2-rc.1" all become
// "1.4.2"; "1.4" becomes "1.4.0" and "1" "1.0.0". A string that is already a four-part release
// version ("1.4.2.7") is returned unchanged. Anything else is an error.
//
// The pre-release and build metadata are dropped, because the API has no place for them: a
// pre-release maps to the same release version as the release it leads up to. Send the
// pre-release in [licensing.Update.ReleaseChannel] ("beta", "rc") if the server must tell them
// apart.
func Of(version string) (string, error) {
	if licensing.IsReleaseVersion(version) && strings.Count(version, ".") == 3 {
		return version, nil
	}
	v, err := semver.NewVersion(version)
	if err != nil {
		return "", fmt.Errorf("releaseversion: %q is not a semantic version: %w", version, err)
	}
	return strconv.FormatUint(v.Major(), 10) + "." + strconv.FormatUint(v.Minor(), 10) + "." +
		strconv.FormatUint(v.Patch(), 10), nil
}
