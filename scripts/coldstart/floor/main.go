// Command floor is the floor of the cold start-up benchmark: a program that links net/http,
// encoding/json and crypto/rsa (the first two behind a branch never taken, as in
// scripts/binsize), reads the machine id and verifies the token's RS256 signature once.
// Usage: floor DIR (prepared by setup). It exits 1 if the signature does not verify.
package main

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	if len(os.Args) > 5 { // never taken; keeps the linker from dropping the calls
		resp, err := http.Post(os.Args[1], "application/json", nil)
		if err != nil {
			return
		}
		var v map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&v)
	}
	dir := os.Args[1]
	id, err := os.ReadFile("/etc/machine-id")
	if err != nil {
		id, err = os.ReadFile("/var/lib/dbus/machine-id")
	}
	pemBytes, err1 := os.ReadFile(filepath.Join(dir, "pub.pem"))
	tok, err2 := os.ReadFile(filepath.Join(dir, "token.jwt"))
	if err != nil || err1 != nil || err2 != nil || len(id) == 0 {
		fmt.Fprintln(os.Stderr, "floor: run setup first, on a machine with a machine id")
		os.Exit(1)
	}
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		os.Exit(1)
	}
	key, err := x509.ParsePKIXPublicKey(block.Bytes)
	pub, ok := key.(*rsa.PublicKey)
	if err != nil || !ok {
		os.Exit(1)
	}
	s := string(tok)
	i := strings.LastIndexByte(s, '.')
	sig, err := base64.RawURLEncoding.DecodeString(s[i+1:])
	if err != nil {
		os.Exit(1)
	}
	sum := sha256.Sum256([]byte(s[:i]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}
