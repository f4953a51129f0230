// Command baseline is the floor of the binary-size comparison: a hello world that links the
// parts of the standard library any licensing client needs (net/http, encoding/json,
// crypto/rsa), behind a branch never taken.
package main

import (
	"crypto"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
)

func main() {
	fmt.Println("hello")
	if len(os.Args) > 5 { // never taken; keeps the linker from dropping the calls
		resp, err := http.Post(os.Args[1], "application/json", nil)
		if err != nil {
			return
		}
		var v map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&v)
		_ = rsa.VerifyPKCS1v15(&rsa.PublicKey{}, crypto.SHA256, nil, nil)
	}
}
