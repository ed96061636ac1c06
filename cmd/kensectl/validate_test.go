package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kense/i18n"
)

func examplePath(name string) string { return filepath.Join("..", "..", "examples", name) }

func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	rc := run(args, &out, &errb)
	return rc, out.String(), errb.String()
}

// useLang runs the test in language l (main sets English when KENSE_LANG
// is unset; the catalogue's own default is Kazakh).
func useLang(t *testing.T, l i18n.Lang) {
	prev := i18n.Current()
	i18n.SetLang(l)
	t.Cleanup(func() { i18n.SetLang(prev) })
}

func TestValidateExample(t *testing.T) {
	useLang(t, i18n.EN)
	// The JSON lives two directories up: orderFile resolves against it, not
	// against the working directory.
	rc, out, errs := runCmd(t, "validate", examplePath("application.json"))
	if rc != 0 || errs != "" || !strings.Contains(out, "the application is valid (5 rows)") {
		t.Fatalf("rc=%d out=%q err=%q", rc, out, errs)
	}
	rc, out, errs = runCmd(t, "validate", examplePath("application.json"), "-q")
	if rc != 0 || out != "" || errs != "" {
		t.Fatalf("-q: rc=%d out=%q err=%q", rc, out, errs)
	}
}

func TestValidateInvalidExample(t *testing.T) {
	useLang(t, i18n.EN)
	rc, out, errs := runCmd(t, "validate", examplePath("application-invalid.json"))
	if rc != 1 {
		t.Fatalf("rc=%d err=%q", rc, errs)
	}
	want := []string{
		"row 0: date: \"2026-02-30\" is not a date",
		"row 0: attachmentPages: Rows attach 1 scanned order(s)",
		"row 0: head.fullName: Enter the full name of the head",
		"row 1: iin: IIN 850315427523: the check digit is wrong",
		"row 1: orderFile: Registration needs the scanned order of employment",
		"row 2: ip: \"10.12.0.300\" is not an IPv4 address",
		"row 2: accessLevels: Access level \"P\" does not exist for user type 2",
		"row 3: accessLevels: Operation 8 does not grant or change access rights",
		"row 3: orderFile: The scanned order " + filepath.Join("..", "..", "examples", "scans", "no-such-order.pdf") + " was not found",
		"row 4: userType: User type 3 does not exist",
		"row 4: position: Enter the user's position.",
		"row 5: iin: This row repeats row 2 (same IIN and operation)",
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), out)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d:\n got %q\nwant %q...", i+1, lines[i], w)
		}
	}
	if !strings.Contains(errs, "problems to fix: 12") {
		t.Errorf("stderr %q", errs)
	}
}

func TestValidateLanguage(t *testing.T) {
	useLang(t, i18n.KK)
	rc, out, _ := runCmd(t, "validate", examplePath("application-invalid.json"))
	if rc != 1 || !strings.Contains(out, "\nrow 1: iin: ЖСН 850315427523: бақылау цифры қате") {
		t.Fatalf("rc=%d\n%s", rc, out)
	}
	i18n.SetLang(i18n.RU)
	rc, _, errs := runCmd(t, "validate", filepath.Join(t.TempDir(), "none.json"))
	if rc != 2 || !strings.Contains(errs, "не существует") {
		t.Fatalf("rc=%d err=%q", rc, errs)
	}
}

func TestValidateOrderRelativeToJSON(t *testing.T) {
	useLang(t, i18n.EN)
	b, err := os.ReadFile(examplePath("application.json"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "app.json")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	// Without the scans next to it, both orders are reported missing.
	rc, out, _ := runCmd(t, "validate", p)
	if rc != 1 || strings.Count(out, ": orderFile: The scanned order") != 2 || !strings.Contains(out, "row 1: orderFile:") || !strings.Contains(out, "row 3: orderFile:") {
		t.Fatalf("rc=%d\n%s", rc, out)
	}
	if err := os.Mkdir(filepath.Join(dir, "scans"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"employment-order-112-k.pdf", "dismissal-order-57-k.pdf"} {
		pdf, err := os.ReadFile(examplePath(filepath.Join("scans", n)))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "scans", n), pdf, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if rc, out, errs := runCmd(t, "validate", "-q", p); rc != 0 || out != "" {
		t.Fatalf("rc=%d out=%q err=%q", rc, out, errs)
	}
	// A text file named .pdf is not a scan.
	if err := os.WriteFile(filepath.Join(dir, "scans", "dismissal-order-57-k.pdf"), []byte("not a scan"), 0o600); err != nil {
		t.Fatal(err)
	}
	rc, out, _ = runCmd(t, "validate", p)
	if rc != 1 || !strings.HasPrefix(out, "row 3: orderFile: ") || !strings.Contains(out, "is not a PDF, JPEG, PNG or TIFF scan") {
		t.Fatalf("rc=%d\n%s", rc, out)
	}
}

func TestValidateUnreadable(t *testing.T) {
	useLang(t, i18n.EN)
	dir := t.TempDir()
	for name, c := range map[string]struct{ body, msg string }{
		"syntax.json":  {"{\n  \"subunit\": \"a\",\n}", "JSON syntax error at line 3"},
		"unknown.json": {`{"subunit": "a", "IIN": "1"}`, `unknown field "IIN"`},
		"type.json":    {`{"rows": [{"userType": "1"}]}`, `"rows[1].userType" must be a whole number`},
		"two.json":     {`{} {}`, "extra data after the application"},
		"empty.json":   {"", "The file is empty"},
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(c.body), 0o600); err != nil {
			t.Fatal(err)
		}
		rc, out, errs := runCmd(t, "validate", p)
		if rc != 2 || out != "" || !strings.Contains(errs, c.msg) || !strings.HasPrefix(errs, "kensectl validate: "+p+": ") {
			t.Errorf("%s: rc=%d out=%q err=%q", name, rc, out, errs)
		}
	}
	if rc, _, errs := runCmd(t, "validate", filepath.Join(dir, "none.json")); rc != 2 || !strings.Contains(errs, "does not exist") {
		t.Errorf("missing file: rc=%d err=%q", rc, errs)
	}
	for _, args := range [][]string{{"validate"}, {"validate", "a.json", "b.json"}, {"validate", "-nope", "a.json"}} {
		if rc, _, errs := runCmd(t, args...); rc != 2 || !strings.Contains(errs, "usage: kensectl validate") {
			t.Errorf("%v: rc=%d err=%q", args, rc, errs)
		}
	}
}
