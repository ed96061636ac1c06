package pdf

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kense/i18n"
)

func slipFile(t *testing.T, s Slip) string {
	t.Helper()
	b, err := RenderSlip(s)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", b[:min(len(b), 16)])
	}
	path := filepath.Join(t.TempDir(), "slip.pdf")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// The slip is one page with the bilingual labels, the person, the login,
// the password exactly as issued, the date, the signature lines and the
// rule that the password is changed at the first sign-in; every Kazakh
// letter comes back from pdftotext as itself, and the password is in no
// metadata.
func TestSlipText(t *testing.T) {
	pw := "Hk7m-PqR2-zX9a-Wb3c"
	s := Slip{FullName: "ӘБЕНОВА ҒАЛИЯ ҚАЙРАТҚЫЗЫ ҮҢІРҺӨҰ (ңұөүһі)", IIN: "850505400028", Login: "galiya.abenova",
		Password: []byte(pw), IssuedBy: "Сейітова Дана", Date: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	path := slipFile(t, s)
	ps := pages(t, path)
	if len(ps) != 1 {
		t.Fatalf("the slip takes %d pages", len(ps))
	}
	text := ps[0]
	for _, want := range []string{pw, s.Login, s.IIN, s.FullName, s.IssuedBy, "23.11.2026",
		bi("slip.title"), bi("slip.password"), bi("slip.login"), bi("slip.change"), bi("slip.received.sig"), bi("slip.confidential")} {
		contains(t, "slip", text, want)
	}
	// The password on one line, whole (a reader copies it from here).
	layout := poppler(t, "pdftotext", "-layout", path, "-")
	if !strings.Contains(layout, pw) {
		t.Errorf("-layout: the password is not on one line:\n%s", layout)
	}
	for _, r := range "ӘәҒғҚқҢңӨөҰұҮүҺһІі" {
		if !strings.ContainsRune(text, r) {
			t.Errorf("letter %c not extracted", r)
		}
	}
	if !strings.Contains(text, i18n.TL(i18n.KK, "slip.password")) || !strings.Contains(text, i18n.TL(i18n.EN, "slip.password")) {
		t.Error("the labels are not bilingual")
	}
	info := poppler(t, "pdfinfo", path)
	if strings.Contains(info, pw) || strings.Contains(info, s.Login) {
		t.Errorf("the metadata holds the password or login:\n%s", info)
	}
	// RenderSlip leaves the caller's bytes as they were (the caller wipes).
	if string(s.Password) != pw {
		t.Error("the password bytes were changed")
	}
}

// A password the fonts cannot print exactly is refused, never printed
// with "?" in it; an empty one too.
func TestSlipRefusesUnprintablePassword(t *testing.T) {
	for _, pw := range []string{"", "abc\x00def", "ab cd", "abc\u200bdef", "abc😀def"} {
		_, err := RenderSlip(Slip{FullName: "X", Login: "x", Password: []byte(pw), Date: time.Now()})
		var pe *Error
		if !errors.As(err, &pe) || pe.Key != "slip.err.password" {
			t.Errorf("%q: %v", pw, err)
		}
	}
}
