package licensingtest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
	"github.com/tollgate-dev/tollgate/store"
)

// A user with a second factor, an OIDC id token and a named-user license: the sign-in states an
// app's tests need, and the allowed check of a release the license's maintenance does not cover.
func ExampleServer_AddUser() {
	ctx := context.Background()
	srv := licensingtest.NewServer()
	defer srv.Close()
	key := srv.AddLicense(licensingtest.License{RequireAuthentication: true, MaxAllowedReleaseVersion: "1.9"})
	srv.AddUser(licensingtest.User{Email: "ada@example.com", Password: "pw", SecondFactorCode: "123456",
		IDTokens: []string{"id-token-from-the-idp"}, Licenses: []string{key}})
	srv.AddRelease(licensingtest.Release{Version: "2.0"})
	client, err := licensing.New(licensing.Config{ProductID: srv.ProductID, PublicKey: srv.PublicKey, BaseURL: srv.URL,
		Store: store.NewMemory(), Machine: licensingtest.Machine("laptop")})
	if err != nil {
		panic(err)
	}

	_, err = client.SignIn(ctx, licensing.PasswordSignIn{Email: "ada@example.com", Password: "nope"})
	fmt.Println("wrong password:", errors.Is(err, licensing.ErrSignInFailed))
	_, err = client.SignIn(ctx, licensing.PasswordSignIn{Email: "ada@example.com", Password: "pw"})
	fmt.Println("no code:", errors.Is(err, licensing.ErrSecondFactorRequired))
	s, err := client.SignIn(ctx, licensing.PasswordSignIn{Email: "ada@example.com", Password: "pw", SecondFactorCode: "123456"})
	fmt.Println("with the code:", err == nil)
	if _, err := client.SignInOIDC(ctx, licensing.OIDCSignIn{IDToken: "id-token-from-the-idp"}); err != nil {
		panic(err)
	}

	lics, err := s.Licenses(ctx)
	if err != nil {
		panic(err)
	}
	_, err = s.Activate(ctx, lics[0], licensing.ActivationRequest{})
	fmt.Println("named-user activation:", err == nil)

	rel, err := client.CheckReleaseUpdate(ctx, licensing.ReleaseQuery{Platform: "linux", Version: "1.0"})
	fmt.Println("release 2.0 installable:", rel != nil, errors.Is(err, licensing.ErrReleaseNotAllowed))

	srv.ExpireSessions()
	_, err = s.Licenses(ctx)
	fmt.Println("token expired:", errors.Is(err, licensing.ErrSignedOut))
	// Output:
	// wrong password: true
	// no code: true
	// with the code: true
	// named-user activation: true
	// release 2.0 installable: false true
	// token expired: true
}
