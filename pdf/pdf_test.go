package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"kense/form"
	"kense/i18n"
	"kense/version"
)

// poppler runs one of poppler-utils' tools (the Makefile installs them),
// skipping the test when it is absent.
func poppler(t *testing.T, tool string, args ...string) string {
	t.Helper()
	path, err := exec.LookPath(tool)
	if err != nil {
		t.Skipf("%s not installed (apt-get install poppler-utils; `make deps` does it): %v", tool, err)
	}
	out, err := exec.Command(path, args...).Output()
	if err != nil {
		t.Fatalf("%s %v: %v", tool, args, err)
	}
	return string(out)
}

func renderFile(t *testing.T, f form.Form, opt Options) string {
	t.Helper()
	b, err := Render(f, opt)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", b[:min(len(b), 16)])
	}
	path := filepath.Join(t.TempDir(), "form.pdf")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// flat is s with every run of white space made one space, so that text a
// cell wrapped reads as it was written.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

// pages is the text of each page, in content order (pdftotext -raw keeps
// each cell's text together and the spaces of the page number).
func pages(t *testing.T, path string) []string {
	t.Helper()
	ps := strings.Split(poppler(t, "pdftotext", "-raw", "-enc", "UTF-8", path, "-"), "\f")
	if n := len(ps); n > 0 && strings.TrimSpace(ps[n-1]) == "" {
		ps = ps[:n-1]
	}
	return ps
}

func contains(t *testing.T, where, text, want string) {
	t.Helper()
	if !strings.Contains(flat(text), flat(want)) {
		t.Errorf("%s: %q missing", where, want)
	}
}

// seedLabels are the form's own texts that every print shows.
func seedLabels() []form.Label {
	ls := []form.Label{
		form.TitleLabel, form.SubunitLabel, form.DateLabel, form.RequestLabel, form.TableTitleLabel,
		form.UserTypesTitle, form.OperationsTitle, form.AccessType1Title, form.AccessType2Title,
		form.HeadLabel, form.HeadPositionLabel, form.HeadFullNameLabel, form.SignatureLabel, form.PlaceOfSealLabel,
	}
	for _, u := range form.UserTypes {
		ls = append(ls, u.Label)
	}
	for _, o := range form.Operations {
		ls = append(ls, o.Label)
	}
	for _, a := range form.AccessLevelsUserType1 {
		ls = append(ls, a.Label)
	}
	for _, a := range form.AccessLevelsUserType2 {
		ls = append(ls, a.Label)
	}
	return ls
}

// columnLabels are the table header's texts, Kazakh and English printed as
// separate lines of each header cell.
var columnLabels = []form.Label{form.ColNumber, form.ColFullName, form.ColIIN, form.ColIP,
	form.ColUserType, form.ColOperation, form.ColAccessLevel, form.ColPosition}

func checkDocument(t *testing.T, f form.Form, path string, final bool) []string {
	t.Helper()
	ps := pages(t, path)
	all := strings.Join(ps, "\n")
	n := len(ps)

	for _, lb := range seedLabels() {
		contains(t, "document", all, lb.Bilingual())
	}
	for _, lb := range columnLabels {
		contains(t, "header", all, lb.KK)
		contains(t, "header", all, lb.EN)
	}
	for _, s := range []string{f.Subunit, f.Head.Position, f.Head.FullName, "«23» қараша / November 2026 жыл / year",
		fmt.Sprintf("Қосымша %d парақта / Attachment on %d pages.", f.AttachmentPages, f.AttachmentPages)} {
		contains(t, "document", all, s)
	}

	payload := qrPayload(f, !final)
	for k, p := range ps {
		where := fmt.Sprintf("page %d", k+1)
		contains(t, where, p, fmt.Sprintf("%d / %d", k+1, n))
		contains(t, where, p, payload)
		contains(t, where, p, "SHA-256: "+form.HashHex(f))
		if got := strings.Count(p, "ЖОБА / DRAFT"); final && got != 0 || !final && got < 2 {
			t.Errorf("%s: %d draft marks, final=%v", where, got, final)
		}
	}

	// Each row once, in order, its cells whole; the header once on every
	// page that holds rows, above them.
	at := 0
	rowPage := make([]int, len(f.Rows))
	for i, r := range f.Rows {
		for at < n && !strings.Contains(flat(ps[at]), " "+r.IIN+" ") {
			at++
		}
		if at == n {
			t.Fatalf("row %d (IIN %s) not found in page order", i+1, r.IIN)
		}
		rowPage[i] = at
		p := flat(ps[at])
		for _, v := range []string{r.FullName, r.IP, r.Position, strings.Join(r.AccessLevels, ", ")} {
			contains(t, fmt.Sprintf("row %d", i+1), p, v)
		}
		var cells []string
		for _, v := range []string{strconv.Itoa(i + 1), r.FullName, r.IIN, r.IP, codeText(r.UserType), codeText(r.Operation),
			strings.Join(r.AccessLevels, ", "), r.Position} {
			if v != "" {
				cells = append(cells, v)
			}
		}
		contains(t, fmt.Sprintf("row %d", i+1), p, " "+strings.Join(cells, " "))
	}
	for k := 0; k < n; k++ {
		holds := false
		for _, p := range rowPage {
			holds = holds || p == k
		}
		got := strings.Count(ps[k], form.ColOperation.EN)
		if holds && got != 1 || !holds && got != 0 {
			t.Errorf("page %d: table header %d times (rows on it: %v)", k+1, got, holds)
		}
	}
	return ps
}

func TestRenderOneRow(t *testing.T) {
	f := exampleForm(1)
	path := renderFile(t, f, Options{Final: true, Now: fixedNow})
	ps := checkDocument(t, f, path, true)
	if len(ps) > 2 {
		t.Errorf("a one-row form takes %d pages", len(ps))
	}
	// The same header, checked line by line on the -layout text as well.
	layout := poppler(t, "pdftotext", "-layout", "-f", "1", "-l", "1", path, "-")
	if got := strings.Count(layout, "Operation type"); got != 1 {
		t.Errorf("-layout page 1: header %d times", got)
	}
}

// Every Kazakh letter, upper and lower case, is drawn with the embedded
// fonts and comes back from pdftotext as itself.
func TestKazakhLetters(t *testing.T) {
	f := exampleForm(1)
	f.Subunit = "ҚАЛАНЫҢ ӨҢІРЛІК ҰЙЫМЫ — Әсем Ғабит Үміт Һидаят: әңгіме ғылым қала аңыз өнер ұлы үміт шаһар ілім"
	path := renderFile(t, f, Options{Final: true, Now: fixedNow})
	all := strings.Join(pages(t, path), "\n")
	for _, r := range "ӘәҒғҚқҢңӨөҰұҮүҺһІі" {
		if !strings.ContainsRune(all, r) {
			t.Errorf("letter %c not extracted", r)
		}
	}
	contains(t, "subunit", all, f.Subunit)
}

func TestRenderManyRowsSpansPages(t *testing.T) {
	f := exampleForm(120)
	path := renderFile(t, f, Options{Final: true, Now: fixedNow})
	ps := checkDocument(t, f, path, true)
	if len(ps) < 4 {
		t.Fatalf("120 rows on %d pages", len(ps))
	}
	for k := range ps {
		page := strconv.Itoa(k + 1)
		layout := poppler(t, "pdftotext", "-layout", "-f", page, "-l", page, path, "-")
		if got, want := strings.Count(layout, "Operation type"), strings.Count(ps[k], "Operation type"); got != want {
			t.Errorf("page %d: -layout shows the header %d times, -raw %d", k+1, got, want)
		}
	}
}

func TestRenderDraft(t *testing.T) {
	f := exampleForm(3)
	f.Rows[1].IIN = "123" // a problem: drafts print what is there
	f.Rows[2].UserType = 0
	path := renderFile(t, f, Options{Now: fixedNow})
	ps := checkDocument(t, f, path, false)
	if !strings.HasSuffix(qrPayload(f, true), ";draft=1") {
		t.Error("draft payload lacks draft=1")
	}
	contains(t, "page 1", ps[0], bi("pdf.draft.note"))
}

func TestRenderMetadataAndFonts(t *testing.T) {
	f := exampleForm(2)
	path := renderFile(t, f, Options{Final: true, Now: fixedNow})
	info := map[string]string{}
	for _, line := range strings.Split(poppler(t, "pdfinfo", "-enc", "UTF-8", path), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			info[k] = strings.TrimSpace(v)
		}
	}
	for k, want := range map[string]string{
		"Title":        "ӨТІНІМ / APPLICATION: " + f.Subunit,
		"Author":       f.Head.FullName,
		"Subject":      form.TableTitleLabel.Bilingual(),
		"Creator":      "Kense " + version.Version,
		"Keywords":     QRPayload(f),
		"CreationDate": "Mon Nov 23 09:30:00 2026 UTC",
		"Page size":    "841.89 x 595.28 pts (A4)",
	} {
		if info[k] != want {
			t.Errorf("pdfinfo %s = %q, want %q", k, info[k], want)
		}
	}
	fonts := poppler(t, "pdffonts", path)
	for _, line := range strings.Split(fonts, "\n")[2:] {
		if fs := strings.Fields(line); len(fs) > 0 && !strings.Contains(line, " yes ") {
			t.Errorf("font not embedded: %s", line)
		}
	}
	if !strings.Contains(fonts, "notosansB") {
		t.Errorf("bold font missing:\n%s", fonts)
	}
}

func TestRenderSignature(t *testing.T) {
	f := exampleForm(1)
	sig := &SignatureBlock{SignerName: "Әбілқайыров Ғалымжан", IIN: "900101300007", CertSerial: "4f1a2b3c", SignedAt: time.Date(2026, 11, 23, 15, 4, 5, 0, time.FixedZone("", 5*3600))}
	path := renderFile(t, f, Options{Final: true, Now: fixedNow, Signature: sig})
	for k, p := range pages(t, path) {
		where := fmt.Sprintf("page %d", k+1)
		for _, want := range []string{bi("pdf.sig.title"), sig.SignerName, sig.IIN, sig.CertSerial, "2026-11-23 15:04:05 +05:00"} {
			contains(t, where, p, want)
		}
	}
}

func TestRenderEmptyAndOddText(t *testing.T) {
	var f form.Form // a brand-new draft: nothing typed yet
	path := renderFile(t, f, Options{Now: fixedNow})
	all := strings.Join(pages(t, path), "\n")
	contains(t, "empty form", all, form.TableTitleLabel.Bilingual())
	contains(t, "empty form", all, "Attachment on 0 pages.")

	// Line breaks, tabs, a rune the fonts lack (and U+10000, on which
	// gofpdf would index past its width table), a word wider than its cell.
	f = exampleForm(1)
	f.Subunit = "Бөлім\r\nАлматы\tқала\u200bсы 😀 \U00010000"
	f.Rows[0].Position = strings.Repeat("Ұзынсөзбенжазылғанлауазым", 6)
	path = renderFile(t, f, Options{Now: fixedNow})
	all = flat(strings.Join(pages(t, path), "\n"))
	contains(t, "odd text", all, "Бөлім Алматы қаласы ? ?")
	if !strings.Contains(strings.ReplaceAll(strings.ReplaceAll(all, "- ", ""), "-", ""), f.Rows[0].Position) {
		t.Error("long word not printed whole (with break dashes)")
	}
}

func TestRenderRowTooTall(t *testing.T) {
	f := exampleForm(2)
	f.Rows[1].Position = strings.Repeat("өте ұзын лауазым атауы ", 400)
	_, err := Render(f, Options{Now: fixedNow})
	var e *Error
	if !errors.As(err, &e) || e.Key != "pdf.err.row_too_tall" {
		t.Fatalf("err = %v", err)
	}
	if msg := e.Message(i18n.KK); !strings.Contains(msg, "2-жолдағы") {
		t.Errorf("kk message %q", msg)
	}
}

func TestRenderIDTooLong(t *testing.T) {
	f := exampleForm(1)
	f.ID = strings.Repeat("x", maxID+1)
	var e *Error
	if _, err := Render(f, Options{}); !errors.As(err, &e) || e.Key != "pdf.err.id_too_long" {
		t.Fatalf("err = %v", err)
	}
	f.ID = strings.Repeat("x", maxID)
	if _, err := Render(f, Options{}); err != nil {
		t.Fatal(err)
	}
}

func TestRenderFinalRefusesProblems(t *testing.T) {
	f := exampleForm(2)
	f.Rows[0].IP = "300.1.1.1"
	_, err := RenderFinal(f, Options{Now: fixedNow}, form.Options{Today: fixedNow()})
	pe, ok := IsProblems(err)
	if !ok || len(pe.Problems) == 0 || pe.Problems[0].Field != "ip" {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(pe.Error(), "1 problem") {
		t.Errorf("message %q", pe.Error())
	}

	f = exampleForm(2)
	b, err := RenderFinal(f, Options{Now: fixedNow}, form.Options{Today: fixedNow()})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("draft=1")) {
		t.Error("final render carries the draft payload")
	}
}

// Concurrent renders share the measuring gofpdf; -race checks the lock.
func TestRenderConcurrent(t *testing.T) {
	errs := make(chan error, 4)
	for i := range 4 {
		go func() {
			_, err := Render(exampleForm(10+i), Options{Final: i%2 == 0, Now: fixedNow})
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// FuzzRender: whatever the text fields hold, Render returns a PDF or an
// *Error, never panics.
func FuzzRender(f *testing.F) {
	f.Add("Бөлім", "Әбілқайыров Ғ.", "Иванов Иван", "10.0.0.1", "маман", "2026-11-23", 1, 2)
	f.Add("", "", "", "", "", "", 0, 0)
	f.Add("\x00\xff\U00010000", "\t\n", "😀😀", "::1", strings.Repeat("x", 300), "23.11.2026", -5, 99)
	f.Fuzz(func(t *testing.T, subunit, head, name, ip, position, date string, userType, op int) {
		fm := form.Form{ID: name, Subunit: subunit, Date: date, Head: form.Head{FullName: head, Position: position},
			Rows: []form.Row{{FullName: name, IIN: ip, IP: ip, UserType: userType, Operation: op, Position: position, AccessLevels: []string{name}}}}
		b, err := Render(fm, Options{Now: fixedNow})
		var e *Error
		switch {
		case err != nil && !errors.As(err, &e):
			t.Fatalf("error of type %T: %v", err, err)
		case err == nil && !bytes.HasPrefix(b, []byte("%PDF-")):
			t.Fatal("not a PDF")
		}
	})
}

// The layout's page count is the PDF's: layout broke every page where
// maroto did, so no table page lacks its header and no block was split.
func TestLayoutAgreesWithMaroto(t *testing.T) {
	fs, err := loadFonts()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 1, 20, 29, 30, 31, 57, 200} {
		for _, final := range []bool{true, false} {
			f := exampleForm(n)
			if n%2 == 1 {
				f.Rows[n/2].Position = strings.Repeat("жетекші маман ", 12) // a row several lines tall
			}
			b, counted, err := render(fs, f, Options{Final: final, Now: fixedNow})
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "f.pdf")
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			if got := len(pages(t, path)); got != counted {
				t.Errorf("%d rows, final=%v: PDF has %d pages, layout counted %d", n, final, got, counted)
			}
		}
	}
}
