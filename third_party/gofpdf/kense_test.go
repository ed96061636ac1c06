package gofpdf

// Tests of Kense's changes (KENSE.md); the fonts are Kense's own assets.

import (
	"bytes"
	"compress/zlib"
	"io"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

func readFont(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../../assets/fonts/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A pooled writer must give exactly what a new one gives, also when
// streams are compressed side by side.
func TestSliceCompressSameAsNewWriter(t *testing.T) {
	inputs := [][]byte{nil, []byte("x"), bytes.Repeat([]byte("BT /F1 9 Tf ET\n"), 5000), readFont(t, "NotoSans-Regular.ttf")}
	var wg sync.WaitGroup
	for round := 0; round < 4; round++ {
		for _, in := range inputs {
			wg.Add(1)
			go func(in []byte) {
				defer wg.Done()
				var want bytes.Buffer
				w, _ := zlib.NewWriterLevel(&want, zlib.BestSpeed)
				w.Write(in)
				w.Close()
				got := sliceCompress(in)
				if !bytes.Equal(got, want.Bytes()) {
					t.Errorf("%d bytes: pooled output differs from a new writer's", len(in))
				}
				r, err := zlib.NewReader(bytes.NewReader(got))
				if err != nil {
					t.Error(err)
					return
				}
				back, err := io.ReadAll(r)
				if err != nil || !bytes.Equal(back, in) {
					t.Errorf("%d bytes: round trip gives %d bytes, %v", len(in), len(back), err)
				}
			}(in)
		}
	}
	wg.Wait()
}

// The cached definition is the one a fresh parse gives, and the id tells
// fonts apart by name and by bytes.
func TestUTF8FontDefCache(t *testing.T) {
	regular, bold := readFont(t, "NotoSans-Regular.ttf"), readFont(t, "NotoSans-Bold.ttf")
	first, err := utf8FontDef("kensetest", regular)
	if err != nil {
		t.Fatal(err)
	}
	again, err := utf8FontDef("kensetest", regular)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(first, again) {
		t.Error("cached definition differs from the first")
	}
	fresh := newUTF8Font(&fileReader{array: regular})
	if err := fresh.parseFile(); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(first.Cw, fresh.CharWidths) || first.Desc.Ascent != fresh.Ascent || first.Desc.MissingWidth != round(fresh.DefaultWidth) {
		t.Error("cached definition is not what parsing gives")
	}
	if len(first.Cw) != 65536 || first.Cw['Ә'] == 0 {
		t.Errorf("width table: %d entries, Ә %d", len(first.Cw), first.Cw['Ә'])
	}
	otherName, _ := utf8FontDef("kensetestB", regular)
	otherBytes, _ := utf8FontDef("kensetest2", bold)
	sameNameOtherBytes, _ := utf8FontDef("kensetest", bold)
	ids := map[string]bool{first.i: true, otherName.i: true, otherBytes.i: true, sameNameOtherBytes.i: true}
	if len(ids) != 4 {
		t.Errorf("ids collide: %v", ids)
	}
	if reflect.DeepEqual(first.Cw, sameNameOtherBytes.Cw) {
		t.Error("other bytes under the same name got the cached widths")
	}
}

func TestDamagedFontIsAnError(t *testing.T) {
	regular := readFont(t, "NotoSans-Regular.ttf")
	for name, b := range map[string][]byte{
		"empty":     {},
		"not a ttf": []byte("%PDF-1.4 not a font at all"),
		"truncated": append([]byte(nil), regular[:2000]...), // a copy: the parser slices within capacity
	} {
		pdf := New("P", "mm", "A4", "")
		pdf.AddUTF8FontFromBytes("damaged"+strings.ReplaceAll(name, " ", ""), "", b)
		if pdf.Error() == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func render(t testing.TB, regular, bold []byte, text string) []byte {
	pdf := New("P", "mm", "A4", "")
	pdf.SetCatalogSort(true) // upstream orders resources by map iteration otherwise
	pdf.SetCreationDate(time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC))
	pdf.SetModificationDate(time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC))
	pdf.AddUTF8FontFromBytes("noto", "", regular)
	pdf.AddUTF8FontFromBytes("noto", "B", bold)
	pdf.AddPage()
	pdf.SetFont("noto", "", 12)
	pdf.Cell(0, 10, text)
	pdf.SetFont("noto", "B", 12)
	pdf.Cell(0, 20, text)
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Documents that share the cached fonts stay independent: each embeds the
// subset of what it used, and the same input gives the same bytes.
func TestDocumentsShareFontsSafely(t *testing.T) {
	regular, bold := readFont(t, "NotoSans-Regular.ttf"), readFont(t, "NotoSans-Bold.ttf")
	texts := []string{"Әрекет Ғ Қ Ң Ө Ұ Ү Һ І", "Application form", "0123456789"}
	want := make([][]byte, len(texts))
	for i, s := range texts {
		want[i] = render(t, regular, bold, s)
	}
	if bytes.Equal(want[0], want[1]) {
		t.Fatal("different texts, same PDF")
	}
	var wg sync.WaitGroup
	for round := 0; round < 3; round++ {
		for i, s := range texts {
			wg.Add(1)
			go func(i int, s string) {
				defer wg.Done()
				if got := render(t, regular, bold, s); !bytes.Equal(got, want[i]) {
					t.Errorf("%q: a later render differs from the first", s)
				}
			}(i, s)
		}
	}
	wg.Wait()
}
