module github.com/tollgate-dev/tollgate

go 1.24.0

require github.com/Masterminds/semver/v3 v3.5.0
