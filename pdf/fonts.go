package pdf

import (
	"fmt"
	"strings"
	"sync"

	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/core/entity"
	"github.com/phpdave11/gofpdf"
	"golang.org/x/image/font/sfnt"

	"kense/assets"
)

// family is the name the embedded Noto Sans is registered under in maroto
// (and in the measuring gofpdf, which must agree with it glyph for glyph).
const family = "notosans"

// fontSet is what every render shares: the font bytes for maroto, each
// rune's advance width exactly as gofpdf computes it (to measure text as
// maroto's gofpdf will lay it out), and which runes the fonts can draw.
// Loaded once: parsing a TrueType file is a large fixed cost.
type fontSet struct {
	custom  []*entity.CustomFont
	covered func(r rune) bool
	// adv[style][r] is gofpdf's GetStringSymbolWidth of r (1/1000 em),
	// missing[style] its width for a rune the font lacks; style 0 is
	// regular, 1 bold.
	adv     [2][]int
	missing [2]int
}

var (
	fontsOnce sync.Once
	fontsVal  *fontSet
	fontsErr  error
)

func loadFonts() (*fontSet, error) {
	fontsOnce.Do(func() { fontsVal, fontsErr = readFonts() })
	return fontsVal, fontsErr
}

func readFonts() (*fontSet, error) {
	regular, err := assets.Fonts.ReadFile("fonts/NotoSans-Regular.ttf")
	if err != nil {
		return nil, err
	}
	bold, err := assets.Fonts.ReadFile("fonts/NotoSans-Bold.ttf")
	if err != nil {
		return nil, err
	}
	fs := &fontSet{custom: []*entity.CustomFont{
		{Family: family, Style: fontstyle.Normal, Bytes: regular},
		{Family: family, Style: fontstyle.Bold, Bytes: bold},
	}}
	if fs.covered, err = coverage(regular, bold); err != nil {
		return nil, err
	}
	// A throwaway gofpdf with the same fonts tells each rune's width, so
	// that measuring needs neither gofpdf nor a lock at render time.
	m := gofpdf.New("P", "mm", "A4", "")
	m.AddUTF8FontFromBytes(family, "", regular)
	m.AddUTF8FontFromBytes(family, "B", bold)
	for style, name := range []string{"", "B"} {
		m.SetFont(family, name, 10)
		fs.adv[style] = make([]int, coverLimit)
		for r := range rune(coverLimit) {
			fs.adv[style][r] = m.GetStringSymbolWidth(string(r))
		}
		// Beyond gofpdf's width table: its missing width. (U+10000 itself
		// would index past the table: sanitizer keeps it out.)
		fs.missing[style] = m.GetStringSymbolWidth(string(rune(0x10FFFF)))
	}
	if err := m.Error(); err != nil {
		return nil, fmt.Errorf("pdf: embedded font: %w", err)
	}
	return fs, nil
}

// coverLimit bounds the runes the fonts hold (see assets/fonts/README.md).
const coverLimit = 0x2200

// coverage reports which runes both fonts have a glyph for. Text is
// sanitised against it: gofpdf would draw a missing glyph as nothing (and
// panics on U+10000), and a reader must see that something was there.
func coverage(fonts ...[]byte) (func(rune) bool, error) {
	const limit = coverLimit
	var table [limit]bool
	for i := range table {
		table[i] = true
	}
	var buf sfnt.Buffer
	for _, b := range fonts {
		f, err := sfnt.Parse(b)
		if err != nil {
			return nil, fmt.Errorf("pdf: embedded font: %w", err)
		}
		for r := rune(0); r < limit; r++ {
			if table[r] {
				g, err := f.GlyphIndex(&buf, r)
				table[r] = err == nil && g != 0
			}
		}
	}
	return func(r rune) bool { return r >= 0 && r < limit && table[r] }, nil
}

// ptPerMM is gofpdf's scale factor k for millimetres, computed as gofpdf does.
const ptPerMM = 72.0 / 25.4

// symbols is gofpdf's GetStringSymbolWidth: the sum of the runes' widths.
// Text reaching it is sanitised, so every rune is below coverLimit; any
// other counts the font's missing width, as in gofpdf.
func (fs *fontSet) symbols(s string, bold bool) int {
	style := 0
	if bold {
		style = 1
	}
	adv := fs.adv[style]
	w := 0
	for _, r := range s {
		if r >= 0 && r < coverLimit {
			w += adv[r]
		} else {
			w += fs.missing[style]
		}
	}
	return w
}

// width is gofpdf's GetStringWidth of s in the given style and size (pt),
// in mm, computed with the same operations in the same order.
func (fs *fontSet) width(s string, bold bool, size float64) float64 {
	return float64(fs.symbols(s, bold)) * (size / ptPerMM) / 1000
}

// lines is how many lines maroto's text component breaks s into within
// width mm, and whether it has to break inside words (a word wider than
// the column: maroto then needs its dash strategy, or the word would run
// out of the cell). It mirrors maroto v2.3.3's
// internal/providers/gofpdf/text.go line for line, so that the row heights
// computed here are the heights maroto draws.
func (fs *fontSet) lines(s string, bold bool, size, width float64) (n int, dash bool) {
	w := func(s string) float64 { return fs.width(s, bold, size) }
	words := strings.Split(s, " ")
	for _, word := range words {
		if w(word) > width {
			dash = true
			break
		}
	}
	if dash {
		return dashLines(s, width, w), true
	}
	current := 0.0
	count := 0
	for _, word := range words {
		if word == "" {
			continue
		}
		piece := word
		if count > 0 {
			piece = " " + word
		}
		if pw := w(piece); current+pw <= width {
			count = max(count, 1)
			current += pw
		} else {
			count++
			current = w(word)
		}
	}
	return count, false
}

// dashLines mirrors maroto's getLinesBreakingLineWithDash.
func dashLines(s string, width float64, w func(string) float64) int {
	dashSize := w(" - ")
	current := 0.0
	count := 0
	content := false
	for _, r := range s {
		if current+dashSize > width-dashSize {
			count++
			content = false
			current = 0
		}
		current += w(string(r))
		content = true
	}
	if content {
		count++
	}
	return count
}
