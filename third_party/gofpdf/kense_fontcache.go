package gofpdf

// This file is Kense's, not upstream's: see KENSE.md.

import (
	"crypto/sha256"
	"fmt"
	"sync"
)

// parsedFonts keeps each UTF-8 font's definition (metrics, the 65,536-entry
// width table and the id hashed from them) so that a font added to many
// documents is parsed once: parsing two fonts was a quarter of a one-page
// render. Keyed by font key and the SHA-256 of the bytes, so other bytes
// under the same name are parsed afresh. The cached Cw is shared between
// documents and only ever read.
var parsedFonts struct {
	sync.Mutex
	m map[string]fontDefType
}

// maxParsedFonts bounds the cache: a program that adds ever new fonts
// parses the ones beyond it each time, as upstream does.
const maxParsedFonts = 32

// utf8FontDef returns the definition of the UTF-8 font b registered under
// fontkey, without usedRunes or utf8File: those are each document's own.
func utf8FontDef(fontkey string, b []byte) (def fontDefType, err error) {
	sum := sha256.Sum256(b)
	key := fontkey + "\x00" + string(sum[:])
	parsedFonts.Lock()
	def, ok := parsedFonts.m[key]
	parsedFonts.Unlock()
	if ok {
		return def, nil
	}
	// The parser indexes the file as it says; a damaged file must be an
	// error, not a panic.
	defer func() {
		if r := recover(); r != nil {
			def, err = fontDefType{}, fmt.Errorf("gofpdf: damaged TrueType font %s: %v", fontkey, r)
		}
	}()
	utf8File := newUTF8Font(&fileReader{array: b})
	if err := utf8File.parseFile(); err != nil {
		return fontDefType{}, err
	}
	def = fontDefType{
		Tp:   "UTF8",
		Name: fontkey,
		Desc: FontDescType{
			Ascent:       int(utf8File.Ascent),
			Descent:      int(utf8File.Descent),
			CapHeight:    utf8File.CapHeight,
			Flags:        utf8File.Flags,
			FontBBox:     utf8File.Bbox,
			ItalicAngle:  utf8File.ItalicAngle,
			StemV:        utf8File.StemV,
			MissingWidth: round(utf8File.DefaultWidth),
		},
		Up: int(round(utf8File.UnderlinePosition)),
		Ut: round(utf8File.UnderlineThickness),
		Cw: utf8File.CharWidths,
	}
	def.i, _ = generateFontID(def)
	parsedFonts.Lock()
	if parsedFonts.m == nil {
		parsedFonts.m = make(map[string]fontDefType)
	}
	if len(parsedFonts.m) < maxParsedFonts {
		parsedFonts.m[key] = def
	}
	parsedFonts.Unlock()
	return def, nil
}
