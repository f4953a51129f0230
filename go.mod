module github.com/tollgate-dev/tollgate

go 1.24.0

require (
	github.com/Masterminds/semver/v3 v3.5.0
	github.com/denisbrodbeck/machineid v1.0.1
	github.com/godbus/dbus/v5 v5.2.2
	github.com/golang-jwt/jwt/v5 v5.3.1
	github.com/hashicorp/go-retryablehttp v0.7.8
	github.com/zalando/go-keyring v0.2.8
	go.uber.org/goleak v1.3.0
	golang.org/x/sys v0.41.0
)

require (
	github.com/danieljoos/wincred v1.2.3 // indirect
	github.com/hashicorp/go-cleanhttp v0.5.2 // indirect
)
