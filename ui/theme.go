package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// brand is the blue of the app icon.
var brand = color.NRGBA{R: 0x1d, G: 0x4f, B: 0x91, A: 0xff}

// kenseTheme is Fyne's default theme, always light (a printed form is dark
// on white, and so is the screen that fills it) with the brand blue as the
// primary colour.
type kenseTheme struct{ fyne.Theme }

// Theme is the app's theme; cmd/kense sets it.
func Theme() fyne.Theme { return kenseTheme{theme.DefaultTheme()} }

func (t kenseTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	switch n {
	case theme.ColorNamePrimary, theme.ColorNameHyperlink, theme.ColorNameFocus:
		if n == theme.ColorNameFocus {
			return color.NRGBA{R: brand.R, G: brand.G, B: brand.B, A: 0x7f}
		}
		return brand
	}
	return t.Theme.Color(n, theme.VariantLight)
}
