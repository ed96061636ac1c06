// Package version is the build's version, stamped from FyneApp.toml by the
// Makefile (-X kense/version.Version=…).
package version

// Version is "dev" for a plain `go build`.
var Version = "dev"
