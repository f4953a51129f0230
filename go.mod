module github.com/tollgate-dev/tollgate

go 1.24.0

require (
	github.com/Masterminds/semver/v3 v3.5.0
	github.com/denisbrodbeck/machineid v1.0.1
	golang.org/x/sys v0.41.0
)
