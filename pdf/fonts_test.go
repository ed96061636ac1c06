package pdf

import (
	"strings"
	"testing"

	"github.com/phpdave11/gofpdf"

	"kense/assets"
)

// Row heights are right only while width() is gofpdf's GetStringWidth to
// the last bit: maroto breaks lines by comparing these floats.
func TestWidthIsGofpdfs(t *testing.T) {
	fs, err := loadFonts()
	if err != nil {
		t.Fatal(err)
	}
	regular, _ := assets.Fonts.ReadFile("fonts/NotoSans-Regular.ttf")
	bold, _ := assets.Fonts.ReadFile("fonts/NotoSans-Bold.ttf")
	m := gofpdf.New("P", "mm", "A4", "")
	m.AddUTF8FontFromBytes(family, "", regular)
	m.AddUTF8FontFromBytes(family, "B", bold)

	texts := []string{" ", "№", "Әрекет жүргізуге сұраныс / Application for performing operations", "900101300007", "10.12.0.255", "«23» қараша"}
	for _, lb := range seedLabels() {
		texts = append(texts, lb.KK, lb.EN)
	}
	texts = append(texts, strings.Repeat("ӘәҒғҚқҢңӨөҰұҮүҺһІі", 9), "€₸™−—–…")
	for _, size := range []float64{sizeSmall - 0.5, sizeCaption, sizeHead, sizeTable, sizeBody, sizeValue, sizeTitle, 11, 12} {
		for style, name := range []string{"", "B"} {
			m.SetFont(family, name, size)
			for _, s := range texts {
				if got, want := fs.width(s, style == 1, size), m.GetStringWidth(s); got != want {
					t.Fatalf("%q at %vpt %q: width %v, gofpdf %v", s, size, name, got, want)
				}
			}
		}
	}
}

func TestCoverage(t *testing.T) {
	fs, err := loadFonts()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range "AzАяЁёӘәҒғҚқҢңӨөҰұҮүҺһІі№«»—€₸0 " {
		if !fs.covered(r) {
			t.Errorf("%c (%U) not covered", r, r)
		}
	}
	for _, r := range []rune{'😀', 0x10000, 'ا', '中', -1, 0x2200} {
		if fs.covered(r) {
			t.Errorf("%U covered", r)
		}
	}
}
