package pdf

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/boombuler/barcode/qr"

	"kense/form"
)

var payloadFormat = regexp.MustCompile(`^KENSE1;id=[A-Za-z0-9._~%-]*;sha256=[0-9a-f]{64}(;draft=1)?$`)

func TestQRPayload(t *testing.T) {
	f := exampleForm(3)
	p := QRPayload(f)
	if want := "KENSE1;id=KNS-2026-0042;sha256=" + form.HashHex(f); p != want {
		t.Fatalf("payload %q, want %q", p, want)
	}
	if !payloadFormat.MatchString(p) {
		t.Errorf("payload %q does not match %s", p, payloadFormat)
	}
	q, err := ParseQRPayload(p)
	if err != nil || q != (QRInfo{ID: f.ID, SHA256: form.HashHex(f)}) {
		t.Fatalf("parse: %+v, %v", q, err)
	}

	// The hash follows the content; the ID names the document and is not
	// part of it.
	g := f
	g.Rows = append([]form.Row(nil), f.Rows...)
	g.Rows[0].IP = "10.9.9.9"
	if QRPayload(g) == p {
		t.Error("payload unchanged by a content change")
	}
	g = f
	g.ID = "a;b=c %Ә"
	pg := QRPayload(g)
	if !strings.HasPrefix(pg, "KENSE1;id=a%3Bb%3Dc%20%25%D3%98;sha256="+form.HashHex(f)) || !payloadFormat.MatchString(pg) {
		t.Errorf("escaped payload %q", pg)
	}
	if q, err := ParseQRPayload(pg); err != nil || q.ID != g.ID {
		t.Errorf("escaped id back as %q, %v", q.ID, err)
	}
	if d := qrPayload(f, true); d != p+";draft=1" || !payloadFormat.MatchString(d) {
		t.Errorf("draft payload %q", d)
	}
}

func TestParseQRPayloadRejects(t *testing.T) {
	h := strings.Repeat("ab", 32)
	for _, s := range []string{
		"",
		"KENSE2;id=x;sha256=" + h,
		"kense1;id=x;sha256=" + h,
		"KENSE1;id=x",
		"KENSE1;sha256=" + h + ";id=x",
		"KENSE1;id=x;sha256=" + strings.ToUpper(h),
		"KENSE1;id=x;sha256=" + h[:63],
		"KENSE1;id=x;sha256=" + h + "0",
		"KENSE1;id=x;sha256=" + h + ";draft=0",
		"KENSE1;id=x;sha256=" + h + ";draft=1;x=y",
		"KENSE1;id=a b;sha256=" + h,
		"KENSE1;id=%zz;sha256=" + h,
		"KENSE1;id=%3b;sha256=" + h, // lower-case escape: not what we write
		"KENSE1;id=%41;sha256=" + h, // "A" needs no escape
		"KENSE1;id=%4;sha256=" + h,
		"KENSE1;id=x%;sha256=" + h,
	} {
		if q, err := ParseQRPayload(s); err == nil {
			t.Errorf("%q accepted as %+v", s, q)
		}
	}
}

// FuzzParseQRPayload: a payload that parses is the one its fields encode
// to, so one document has exactly one payload.
func FuzzParseQRPayload(f *testing.F) {
	f.Add("KENSE1;id=KNS-1;sha256=" + strings.Repeat("0f", 32))
	f.Add("KENSE1;id=a%3Bb;sha256=" + strings.Repeat("0f", 32) + ";draft=1")
	f.Add("KENSE1;id=;sha256=")
	f.Add("KENSE1;id=%E2%84%96;sha256=" + strings.Repeat("a", 64))
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQRPayload(s)
		if err != nil {
			return
		}
		if q.String() != s {
			t.Fatalf("%q parsed to %+v, which encodes as %q", s, q, q.String())
		}
	})
}

// The image on every page is the QR code of the payload: one image per
// page, its modules exactly those of the payload's code. (A Go QR decoder
// is not among the dependencies; zbarimg, when installed, decodes too.)
func TestQRImageOnEveryPage(t *testing.T) {
	f := exampleForm(70)
	path := renderFile(t, f, Options{Final: true, Now: fixedNow})
	n := len(pages(t, path))
	dir := t.TempDir()
	poppler(t, "pdfimages", "-png", path, filepath.Join(dir, "img"))
	files, _ := filepath.Glob(filepath.Join(dir, "img-*.png"))
	sort.Strings(files)
	if len(files) != n {
		t.Fatalf("%d images on %d pages", len(files), n)
	}
	code, err := qr.Encode(QRPayload(f), qr.M, qr.Auto)
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		checkQRImage(t, file, code)
	}
	// Decoded from the page as printed (150 dpi), not just the embedded image.
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Logf("zbarimg not installed (apt-get install zbar-tools): QR not decoded, only compared module by module")
		return
	}
	poppler(t, "pdftoppm", "-png", "-r", "150", "-f", "2", "-l", "2", path, filepath.Join(dir, "page"))
	shots, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
	if len(shots) != 1 {
		t.Fatalf("pdftoppm wrote %v", shots)
	}
	out, err := exec.Command(zbar, "--raw", "-q", shots[0]).Output()
	if err != nil || strings.TrimSpace(string(out)) != QRPayload(f) {
		t.Errorf("zbarimg read %q from page 2, %v", out, err)
	}
}

func checkQRImage(t *testing.T, file string, code image.Image) {
	t.Helper()
	fh, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	img, err := png.Decode(fh)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	modules := code.Bounds().Dx()
	if side := (modules + 2*qrQuiet) * qrScale; img.Bounds().Dx() != side || img.Bounds().Dy() != side {
		t.Fatalf("%s: %v, want %d px square", file, img.Bounds(), side)
	}
	dark := func(c color.Color) bool { return color.GrayModel.Convert(c).(color.Gray).Y < 0x80 }
	for y := -qrQuiet; y < modules+qrQuiet; y++ {
		for x := -qrQuiet; x < modules+qrQuiet; x++ {
			want := x >= 0 && y >= 0 && x < modules && y < modules && dark(code.At(x, y))
			got := dark(img.At((x+qrQuiet)*qrScale+qrScale/2, (y+qrQuiet)*qrScale+qrScale/2))
			if got != want {
				t.Fatalf("%s: module (%d,%d) dark=%v, want %v", file, x, y, got, want)
			}
		}
	}
}
