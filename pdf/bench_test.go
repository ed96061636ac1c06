package pdf

import (
	"fmt"
	"testing"

	"github.com/johnfercher/maroto/v2"
	"github.com/johnfercher/maroto/v2/pkg/components/code"
	"github.com/johnfercher/maroto/v2/pkg/components/text"
	"github.com/johnfercher/maroto/v2/pkg/config"
	"github.com/johnfercher/maroto/v2/pkg/props"
)

// Targets (issue 2): one row ≤ 15 ms, 500 rows ≤ 100 ms per render.
// BenchmarkPlainMaroto500 is the yardstick on the same machine.

func benchRender(b *testing.B, rows int) {
	f := exampleForm(rows)
	if _, err := Render(f, Options{Final: true, Now: fixedNow}); err != nil { // fonts loaded outside the timing
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Render(f, Options{Final: true, Now: fixedNow}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRender1Row(b *testing.B)    { benchRender(b, 1) }
func BenchmarkRender500Rows(b *testing.B) { benchRender(b, 500) }

// BenchmarkPlainMaroto500 is a bare maroto document with the same embedded
// fonts, 500 auto-height text rows and one QR code.
func BenchmarkPlainMaroto500(b *testing.B) {
	fs, err := loadFonts()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cfg := config.NewBuilder().WithCustomFonts(fs.custom).
			WithDefaultFont(&props.Font{Family: family, Size: 9}).Build()
		m := maroto.New(cfg)
		m.AddRows(code.NewQrRow(30, "KENSE1;id=bench;sha256=0123456789abcdef"))
		for r := 0; r < 500; r++ {
			m.AddAutoRow(text.NewCol(12, fmt.Sprintf("%d Әрекет жүргізуге сұраныс / Application for performing operations", r)))
		}
		doc, err := m.Generate()
		if err != nil {
			b.Fatal(err)
		}
		if len(doc.GetBytes()) == 0 {
			b.Fatal("empty PDF")
		}
	}
}
