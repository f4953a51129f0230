package record

import "time"

const (
	testProduct = "prod-1"
	testKey     = "LICENSE-KEY-1234"
	testFP      = "ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12"
)

var testNow = time.Unix(1_700_000_000, 0)
