// Command sdk is the baseline plus a real UpdateActivation and Validate.
package main

import (
	"context"
	"crypto"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"os"

	"github.com/tollgate-dev/tollgate/licensing"
)

func main() {
	fmt.Println("hello")
	if len(os.Args) > 5 { // never taken, as in the baseline
		resp, err := http.Post(os.Args[1], "application/json", nil)
		if err != nil {
			return
		}
		var v map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&v)
		_ = rsa.VerifyPKCS1v15(&rsa.PublicKey{}, crypto.SHA256, nil, nil)

		c, err := licensing.New(licensing.Config{ProductID: os.Args[2], PublicKey: os.Args[3]})
		if err != nil {
			return
		}
		_, _ = c.UpdateActivation(context.Background(), os.Args[4], licensing.Update{Key: os.Args[5]})
		_, _ = c.Validate(context.Background())
	}
}
