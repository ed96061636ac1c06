// Package assets holds what the binaries embed: the translation catalogue,
// fonts and icons. Nothing here is read from disk at run time.
package assets

import "embed"

// I18n is the translation catalogue: i18n/<lang>/<area>.json, one flat
// key → text map per file. Areas are split so that each package owns its keys.
//
//go:embed i18n
var I18n embed.FS
