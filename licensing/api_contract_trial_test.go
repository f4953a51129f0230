package licensing_test

import (
	"context"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/licensing"
)

// TestAPIContractTrialsAndReleases spells out the trial and release names of shared/API.md.
func TestAPIContractTrialsAndReleases(t *testing.T) {
	var (
		_                                                                                                 = licensing.TrialRequest{AccountID: "", Metadata: []licensing.Metadata(nil)}
		_ func(*licensing.Client, context.Context, licensing.TrialRequest) (*licensing.Activation, error) = (*licensing.Client).ActivateTrial
		_ func(*licensing.Client, context.Context) (*licensing.Activation, error)                         = (*licensing.Client).ValidateTrial

		_                                                                                              = licensing.ReleaseQuery{Platform: "", Channel: "", Version: "", AccountID: ""}
		_                                                                                              = licensing.Release{Version: "", Name: "", Channel: "", Notes: "", PublishedAt: time.Time{}, Files: []licensing.ReleaseFile{}}
		_                                                                                              = licensing.ReleaseFile{Name: "", URL: "", Checksum: "", Size: int64(0)}
		_ func(*licensing.Client, context.Context, licensing.ReleaseQuery) (*licensing.Release, error) = (*licensing.Client).CheckReleaseUpdate
	)
	for _, e := range []error{licensing.ErrTrialNotAllowed, licensing.ErrTrialActivationLimitReached} {
		if e == nil {
			t.Fatal("a trial error is nil")
		}
	}
}
