package assets

import _ "embed"

// Icon is the app icon, 512×512 PNG (also FyneApp.toml's Icon for packaging).
//
//go:embed icon.png
var Icon []byte
