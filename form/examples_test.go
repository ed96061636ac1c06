package form

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The examples the README points at: one valid application whose scanned
// orders exist next to it, and one with a known set of mistakes.
func TestExamples(t *testing.T) {
	good := filepath.Join("..", "examples", "application.json")
	f, err := Load(good)
	if err != nil {
		t.Fatal(err)
	}
	if ps := Validate(f, Options{OrderExists: OrderChecker(good)}); len(ps) != 0 {
		t.Fatalf("application.json: %v", keysOf(ps))
	}
	types := map[int]bool{}
	hasRegisterWithOrder := false
	for _, r := range f.Rows {
		types[r.UserType] = true
		if r.Operation == OpRegister && r.OrderFile != "" {
			hasRegisterWithOrder = true
			scan := ResolveOrder(good, r.OrderFile)
			if kind := scanKindOf(t, scan); kind != "pdf" {
				t.Errorf("%s is %q, want a PDF", r.OrderFile, kind)
			}
			// A real PDF, not just a header: poppler reads its text back.
			if _, err := exec.LookPath("pdftotext"); err == nil {
				out, err := exec.Command("pdftotext", scan, "-").Output()
				if err != nil || !strings.Contains(string(out), "On employment") || !strings.Contains(string(out), r.IIN) {
					t.Errorf("pdftotext %s: %v\n%s", scan, err, out)
				}
			}
		}
	}
	if !types[1] || !types[2] || !hasRegisterWithOrder {
		t.Errorf("example should show both user types and a registration with its order: %v %v", types, hasRegisterWithOrder)
	}

	bad := filepath.Join("..", "examples", "application-invalid.json")
	f, err = Load(bad)
	if err != nil {
		t.Fatal(err)
	}
	want := []want{
		{0, "date", "form.date.invalid"},
		{0, "attachmentPages", "form.attachmentPages.too_few"},
		{0, "head.fullName", "form.head.fullName.required"},
		{1, "iin", "form.iin.bad_check_digit"},
		{1, "orderFile", "form.order.required_register"},
		{2, "ip", "form.ip.invalid"},
		{2, "accessLevels", "form.accessLevels.unknown"},
		{3, "accessLevels", "form.accessLevels.not_allowed"},
		{3, "orderFile", "form.order.missing"},
		{4, "userType", "form.userType.invalid"},
		{4, "position", "form.position.required"},
		{5, "iin", "form.row.duplicate"},
	}
	got := keysOf(Validate(f, Options{OrderExists: OrderChecker(bad)}))
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("application-invalid.json:\n got %v\nwant %v", got, want)
	}
}

func scanKindOf(t *testing.T, path string) string {
	t.Helper()
	if err := CheckScan(path); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 8)
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	n, _ := fh.Read(b)
	return ScanKind(b[:n])
}
