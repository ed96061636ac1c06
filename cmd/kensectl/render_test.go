package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"kense/form"
	"kense/i18n"
	"kense/pdf"
)

func renderRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	prev := i18n.Current()
	i18n.SetLang(i18n.EN) // as main does when KENSE_LANG is unset
	defer i18n.SetLang(prev)
	var out, errb bytes.Buffer
	rc := run(append([]string{"render"}, args...), &out, &errb)
	return rc, out.String(), errb.String()
}

func pdftotext(t *testing.T, path string) string {
	t.Helper()
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skipf("pdftotext not installed (apt-get install poppler-utils; `make deps` does it): %v", err)
	}
	b, err := exec.Command(tool, "-raw", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(string(b)), " ")
}

func TestRenderValidExample(t *testing.T) {
	in := filepath.Join("..", "..", "examples", "application.json")
	f, err := form.Load(in)
	if err != nil {
		t.Skipf("examples/application.json: %v", err)
	}
	out := filepath.Join(t.TempDir(), "out.pdf")
	// Flags after the file, as the README writes the command.
	rc, stdout, stderr := renderRun(t, in, "-o", out)
	if rc != 0 || stderr != "" || !strings.Contains(stdout, out+": written") {
		t.Fatalf("rc=%d stdout=%q stderr=%q", rc, stdout, stderr)
	}
	text := pdftotext(t, out)
	for _, want := range []string{form.TitleLabel.Bilingual(), f.Subunit, f.Head.FullName, f.Rows[0].FullName, f.Rows[len(f.Rows)-1].IIN, pdf.QRPayload(f)} {
		if !strings.Contains(text, strings.Join(strings.Fields(want), " ")) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
	if strings.Contains(text, "DRAFT") {
		t.Error("a valid form printed as a draft")
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}

func TestRenderRefusesProblems(t *testing.T) {
	in := filepath.Join("..", "..", "examples", "application-invalid.json")
	f, err := form.Load(in)
	if err != nil {
		t.Skipf("examples/application-invalid.json: %v", err)
	}
	problems := form.Validate(f, form.Options{OrderExists: form.OrderChecker(in)})
	if len(problems) == 0 {
		t.Skip("the invalid example has no problems any more")
	}
	out := filepath.Join(t.TempDir(), "out.pdf")
	rc, stdout, stderr := renderRun(t, "-o", out, in)
	if rc != 1 || stdout != "" {
		t.Fatalf("rc=%d stdout=%q", rc, stdout)
	}
	if !strings.Contains(stderr, "not rendered") {
		t.Errorf("stderr %q", stderr)
	}
	for _, p := range problems {
		if !strings.Contains(stderr, p.Line(i18n.EN)) {
			t.Errorf("problem not listed: %s", p.Line(i18n.EN))
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("output written for a refused form: %v", err)
	}

	// -draft prints it anyway, marked.
	rc, stdout, stderr = renderRun(t, "-draft", in, "-o", out)
	if rc != 0 || stderr != "" || !strings.Contains(stdout, "written as a draft") {
		t.Fatalf("-draft: rc=%d stdout=%q stderr=%q", rc, stdout, stderr)
	}
	text := pdftotext(t, out)
	if !strings.Contains(text, "ЖОБА / DRAFT") || !strings.Contains(text, ";draft=1") {
		t.Error("draft print lacks its marks")
	}
}

func TestRenderBadArguments(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join("..", "..", "examples", "application.json")
	if rc, _, stderr := renderRun(t, good); rc != 2 || !strings.Contains(stderr, "-o OUT.pdf") {
		t.Errorf("no -o: rc=%d stderr=%q", rc, stderr)
	}
	if rc, _, _ := renderRun(t, "-o", filepath.Join(dir, "x.pdf")); rc != 2 {
		t.Errorf("no input: rc=%d", rc)
	}
	if rc, _, _ := renderRun(t, "-nope", good); rc != 2 {
		t.Errorf("unknown flag: rc=%d", rc)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"subunit": 1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	rc, _, stderr := renderRun(t, bad, "-o", filepath.Join(dir, "x.pdf"))
	if rc != 1 || stderr == "" {
		t.Errorf("bad JSON: rc=%d stderr=%q", rc, stderr)
	}
	rc, _, stderr = renderRun(t, filepath.Join(dir, "missing.json"), "-o", filepath.Join(dir, "x.pdf"))
	if rc != 1 || stderr == "" {
		t.Errorf("missing file: rc=%d stderr=%q", rc, stderr)
	}
	// An output directory that does not exist: a clear error, exit 1.
	rc, _, stderr = renderRun(t, good, "-o", filepath.Join(dir, "no", "such", "dir", "x.pdf"))
	if rc != 1 || !strings.Contains(stderr, "Cannot write") {
		t.Errorf("unwritable output: rc=%d stderr=%q", rc, stderr)
	}
}
