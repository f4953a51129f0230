package main

import (
	"testing"

	"github.com/tollgate-dev/tollgate/internal/testhome"
	"go.uber.org/goleak"
)

// Example runs the program; go test checks what it prints.
func Example() {
	if code := run(); code != 0 {
		panic(code)
	}
	// Output:
	// 1. sign in without the code: needs the second-factor code
	//    with the code: signed in as ada@example.com
	// 2. license: node-locked, named user true, 0 seats used of 3
	// 3. activated: node-locked license, applied true
	//    after sign-out: true
	// 4. offline validate and sync: licensed
	// 5. release 3.0.0 exists (A new engine.), but this license may not install it: refused
	// 6. deactivated
}

// TestMain checks that the example leaves no goroutine behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(testhome.M(m)) }
