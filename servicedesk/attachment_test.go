package servicedesk

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
)

func pngBytes(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 3))
	img.Set(1, 1, color.RGBA{200, 10, 10, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegBytes(t testing.TB) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 8, 8)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A minimal one-page PDF as a scanner writes it.
const pdfText = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
	"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

// tiffBytes is a little- or big-endian TIFF header with one empty directory.
func tiffBytes(big bool) []byte {
	b := make([]byte, 14)
	if big {
		copy(b, "MM\x00*")
		binary.BigEndian.PutUint32(b[4:], 8)
	} else {
		copy(b, "II*\x00")
		binary.LittleEndian.PutUint32(b[4:], 8)
	}
	return b
}

func TestCheckAttachmentAccepts(t *testing.T) {
	cases := []struct {
		name, ct string
		data     []byte
	}{
		{"screen.png", TypePNG, pngBytes(t)},
		{"photo.jpg", TypeJPEG, jpegBytes(t)},
		{"скан приказа.pdf", TypePDF, []byte(pdfText)},
		{"scan.tif", TypeTIFF, tiffBytes(false)},
		{"scan-mm.tiff", TypeTIFF, tiffBytes(true)},
		{"named wrongly.pdf", TypePNG, pngBytes(t)}, // the content decides
	}
	for _, c := range cases {
		a, err := NewAttachment(c.name, c.data)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if a.ContentType != c.ct || a.Size != int64(len(c.data)) || len(a.SHA256) != 64 || !a.Matches(c.data) {
			t.Errorf("%s: %+v", c.name, a)
		}
		if a.Matches(append([]byte{}, append(c.data, 0)...)) {
			t.Errorf("%s: matches other bytes", c.name)
		}
		if err := CheckAttachment(c.name, c.data); err != nil {
			t.Errorf("%s: CheckAttachment: %v", c.name, err)
		}
	}
}

func TestCheckAttachmentRejects(t *testing.T) {
	png := pngBytes(t)
	big := make([]byte, MaxAttachmentSize+1)
	copy(big, pdfText)
	copy(big[len(big)-6:], "%%EOF\n")
	cases := []struct {
		what, name string
		data       []byte
		key        string
	}{
		{"empty", "a.png", nil, "sd.err.attachmentEmpty"},
		{"an executable", "a.png", []byte("MZ\x90\x00\x03\x00\x00\x00"), "sd.err.attachmentType"},
		{"text", "a.pdf", []byte("hello"), "sd.err.attachmentType"},
		{"a PNG cut short", "a.png", png[:12], "sd.err.attachmentType"},
		{"a PDF without %%EOF", "a.pdf", []byte("%PDF-1.4\n1 0 obj<<>>endobj\n"), "sd.err.attachmentType"},
		{"a TIFF pointing outside", "a.tif", []byte("II*\x00\xff\x00\x00\x00"), "sd.err.attachmentType"},
		{"a GIF", "a.gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), "sd.err.attachmentType"},
		{"too large", "a.pdf", big, "sd.err.attachmentSize"},
		{"a path", `..\..\evil.png`, png, "sd.err.attachmentName"},
		{"a slash", "dir/a.png", png, "sd.err.attachmentName"},
		{"dots", "..", png, "sd.err.attachmentName"},
		{"no name", "", png, "sd.err.attachmentName"},
		{"a control character", "a\x00.png", png, "sd.err.attachmentName"},
		{"a long name", strings.Repeat("я", 200) + ".png", png, "sd.err.attachmentName"},
	}
	for _, c := range cases {
		err := CheckAttachment(c.name, c.data)
		var p Problem
		if !errors.As(err, &p) || p.Key != c.key {
			t.Errorf("%s: got %v, want %s", c.what, err, c.key)
		}
	}
}

func TestAttachmentsInTicket(t *testing.T) {
	a, _ := NewAttachment("s.png", pngBytes(t))
	tk := validTicket()
	tk.Attachments = []Attachment{a}
	if ps := tk.Validate(now(t)); len(ps) > 0 {
		t.Fatal(ps)
	}
	big := Attachment{Name: "b.pdf", ContentType: TypePDF, Size: 9 << 20, SHA256: a.SHA256}
	tk.Attachments = []Attachment{big, big, big}
	expectProblem(t, tk, "attachments", "sd.err.attachmentTotal")
	tk.Attachments = []Attachment{{Name: "x.exe", ContentType: "application/x-msdownload", Size: 10, SHA256: a.SHA256}}
	expectProblem(t, tk, "attachments[0]", "sd.err.attachmentType")
	tk.Attachments = []Attachment{{Name: "x.png", ContentType: TypePNG, Size: 10, SHA256: strings.ToUpper(a.SHA256)}}
	expectProblem(t, tk, "attachments[0]", "sd.err.attachmentHash")
	tk.Attachments = []Attachment{{Name: "x.png", ContentType: TypePNG, Size: 0, SHA256: a.SHA256}}
	expectProblem(t, tk, "attachments[0]", "sd.err.attachmentSize")
	tk.Attachments = make([]Attachment, MaxAttachments+1)
	for i := range tk.Attachments {
		tk.Attachments[i] = a
	}
	expectProblem(t, tk, "attachments", "sd.err.tooMany")
}
