//go:build tools

// Package kense pins the chosen dependencies until real imports carry them.
package kense

import (
	_ "fyne.io/fyne/v2/app"
	_ "fyne.io/fyne/v2/test"
	_ "fyne.io/fyne/v2/widget"
	_ "github.com/coder/websocket"
	_ "github.com/go-resty/resty/v2"
	_ "github.com/johnfercher/maroto/v2"
	_ "go.etcd.io/bbolt"
	_ "golang.org/x/crypto/argon2"
)
