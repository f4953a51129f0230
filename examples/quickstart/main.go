// Command quickstart shows tollgate's flow step by step. For now it shows what exists: the
// checks every update passes before anything is sent, and the exact body that is sent.
package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/tollgate-dev/tollgate/fingerprint"
	"github.com/tollgate-dev/tollgate/licensing"
)

func main() {
	m := fingerprint.Machine{OS: "linux", OSVersion: "12.11", Hostname: "demo-host",
		Fingerprint: strings.Repeat("0f", 32), UserHash: strings.Repeat("a5", 32)}

	fmt.Println("1. A deliberately bad update is refused before anything is sent:")
	_, err := licensing.EncodeUpdate("demo-product", m, licensing.Update{ReleaseVersion: "v1.2.3-rc.1",
		Metadata: []licensing.Metadata{{Key: "", Value: "x"}}})
	var ve *licensing.ValidationError
	if !errors.As(err, &ve) {
		fmt.Fprintln(os.Stderr, "unexpected:", err)
		os.Exit(1)
	}
	for _, f := range ve.Fields {
		fmt.Printf("   %-16s %s\n", f.Field, f.Message)
	}

	rv, _ := licensing.ReleaseVersionOf("v1.2.3-rc.1")
	fmt.Println("2. The app's version v1.2.3-rc.1 becomes the release version", rv)
	body, err := licensing.EncodeUpdate("demo-product", m, licensing.Update{Key: "DEMO-KEY", ReleaseVersion: rv,
		LeaseDuration: licensing.Int64(0)})
	if err != nil {
		fmt.Fprintln(os.Stderr, "unexpected:", err)
		os.Exit(1)
	}
	fmt.Printf("3. The PATCH body:\n   %s\n", body)
}
