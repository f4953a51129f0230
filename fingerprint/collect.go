package fingerprint

import (
	"context"
	"errors"
)

// Collect reads this machine's signals. appID salts the fingerprint and the user hash so that two
// applications on one machine see unrelated values.
func Collect(ctx context.Context, appID string) (Machine, error) {
	return Machine{}, errors.New("fingerprint: Collect is not implemented yet")
}
