// Command sdk is the SDK side of the cold start-up benchmark: what an app does at start-up
// with a cached activation, New and Validate with a file store, this machine's signals
// collected by licensing. Usage: sdk DIR (prepared by setup). It exits 1 if Validate fails.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/store"
)

func main() {
	dir := os.Args[1]
	pub, err1 := os.ReadFile(filepath.Join(dir, "pub.pem"))
	product, err2 := os.ReadFile(filepath.Join(dir, "product"))
	if err1 != nil || err2 != nil {
		fmt.Fprintln(os.Stderr, "sdk: run setup first")
		os.Exit(1)
	}
	c, err := licensing.New(licensing.Config{ProductID: string(product), PublicKey: string(pub),
		Store: store.NewFile(filepath.Join(dir, "store"))})
	if err != nil {
		fmt.Fprintln(os.Stderr, "sdk:", err)
		os.Exit(1)
	}
	if _, err := c.Validate(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "sdk:", err)
		os.Exit(1)
	}
}
