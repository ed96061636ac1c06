package form

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"kense/i18n"
)

const goodJSON = `{
  "id": "doc-1",
  "subunit": "Астана қаласы бойынша филиал",
  "date": "2026-03-02",
  "attachmentPages": 1,
  "head": {"position": "Директор", "fullName": "Сейітов Ерлан Бақытұлы"},
  "rows": [
    {"fullName": "Ахметова Айгүл Серікқызы", "iin": "850315427522", "ip": "10.12.0.25",
     "userType": 1, "operation": 2, "accessLevels": ["B", "K"], "position": "Тіркеуші",
     "orderFile": "scans/order.pdf"},
    {"fullName": "Омаров Данияр", "iin": "921029350851", "ip": "10.12.0.26",
     "userType": 2, "operation": 7, "position": "Техник"}
  ]
}`

func TestReadGood(t *testing.T) {
	f, err := Read(strings.NewReader("\xef\xbb\xbf" + goodJSON + "\n\n"))
	if err != nil {
		t.Fatal(err)
	}
	if f.ID != "doc-1" || f.Subunit != "Астана қаласы бойынша филиал" || f.AttachmentPages != 1 ||
		f.Head.FullName != "Сейітов Ерлан Бақытұлы" || len(f.Rows) != 2 ||
		f.Rows[0].OrderFile != "scans/order.pdf" || !reflect.DeepEqual(f.Rows[0].AccessLevels, []string{"B", "K"}) ||
		f.Rows[1].UserType != 2 || f.Rows[1].Operation != 7 {
		t.Fatalf("read %+v", f)
	}
	// A missing list reads as an empty one, never nil.
	if f.Rows[1].AccessLevels == nil || len(f.Rows[1].AccessLevels) != 0 {
		t.Fatalf("accessLevels %#v", f.Rows[1].AccessLevels)
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	f, err := Read(strings.NewReader(goodJSON))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Write(&buf, f); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasSuffix(out, "}\n") || !strings.Contains(out, "\n  \"subunit\": \"Астана") || strings.Contains(out, `\u`) {
		t.Fatalf("export format:\n%s", out)
	}
	g, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(f, g) {
		t.Fatalf("round trip:\n%+v\n%+v", f, g)
	}
	// Write leaves the caller's nil lists alone and still writes [].
	h := Form{Rows: []Row{{FullName: "x"}}}
	buf.Reset()
	if err := Write(&buf, h); err != nil {
		t.Fatal(err)
	}
	if h.Rows[0].AccessLevels != nil || !strings.Contains(buf.String(), `"accessLevels": []`) {
		t.Fatalf("nil list: %v\n%s", h.Rows[0].AccessLevels, buf.String())
	}
	if strings.Contains(buf.String(), "null") {
		t.Fatalf("null in export:\n%s", buf.String())
	}
}

func TestReadErrors(t *testing.T) {
	for _, c := range []struct {
		name, in, key string
		args          map[string]any
	}{
		{"empty", "", "form.read.empty", nil},
		{"spaces", " \n\t", "form.read.empty", nil},
		{"null", "null", "form.read.not_object", nil},
		{"array", "[]", "form.read.not_object", nil},
		{"string", `"x"`, "form.read.not_object", nil},
		{"utf8", "{\"subunit\": \"\xff\"}", "form.read.utf8", nil},
		{"syntax", "{\n  \"subunit\": \"a\"\n  \"date\": \"b\"}", "form.read.syntax", map[string]any{"line": 3}},
		{"truncated", `{"subunit": "a"`, "form.read.truncated", nil},
		{"truncated string", `{"subunit": "a`, "form.read.truncated", nil},
		{"trailing object", `{} {}`, "form.read.trailing", map[string]any{"line": 1, "col": 4}},
		{"trailing garbage", "{}\n x", "form.read.trailing", map[string]any{"line": 2, "col": 2}},
		{"unknown", `{"subunit": "a", "colour": 1}`, "form.read.unknown_field", map[string]any{"field": "colour", "col": 18}},
		{"case", `{"Subunit": "a"}`, "form.read.unknown_field", map[string]any{"field": "Subunit"}},
		{"unknown in row", `{"rows": [{}, {"IIN": "1"}]}`, "form.read.unknown_field", map[string]any{"field": "rows[2].IIN"}},
		{"unknown in head", `{"head": {"name": "x"}}`, "form.read.unknown_field", map[string]any{"field": "head.name"}},
		{"duplicate", `{"date": "a", "date": "b"}`, "form.read.duplicate_field", map[string]any{"field": "date"}},
		{"duplicate in row", `{"rows": [{"iin": "1", "iin": "2"}]}`, "form.read.duplicate_field", map[string]any{"field": "rows[1].iin"}},
		{"number as text", `{"rows": [{"userType": "1"}]}`, "form.read.want_number", map[string]any{"field": "rows[1].userType"}},
		{"fraction", `{"attachmentPages": 1.5}`, "form.read.want_number", map[string]any{"field": "attachmentPages"}},
		{"exponent", `{"attachmentPages": 1e2}`, "form.read.want_number", nil},
		{"overflow", `{"attachmentPages": 99999999999999999999}`, "form.read.want_number", nil},
		{"text as number", `{"subunit": 5}`, "form.read.want_text", map[string]any{"field": "subunit"}},
		{"null text", `{"subunit": null}`, "form.read.want_text", nil},
		{"level not text", `{"rows": [{"accessLevels": ["A", 2]}]}`, "form.read.want_text", map[string]any{"field": "rows[1].accessLevels[2]"}},
		{"rows object", `{"rows": {}}`, "form.read.want_list", map[string]any{"field": "rows"}},
		{"head list", `{"head": []}`, "form.read.want_object", map[string]any{"field": "head"}},
		{"head null", `{"head": null}`, "form.read.want_object", nil},
		{"row not object", `{"rows": [1]}`, "form.read.want_object", map[string]any{"field": "rows[1]"}},
	} {
		_, err := Read(strings.NewReader(c.in))
		var re *ReadError
		if !errors.As(err, &re) || re.Key != c.key {
			t.Errorf("%s: got %v, want %s", c.name, err, c.key)
			continue
		}
		got := map[string]any{}
		for i := 0; i+1 < len(re.Args); i += 2 {
			got[re.Args[i].(string)] = re.Args[i+1]
		}
		for k, v := range c.args {
			if got[k] != v {
				t.Errorf("%s: %s = %v, want %v (args %v)", c.name, k, got[k], v, re.Args)
			}
		}
		for _, l := range i18n.Langs {
			if m := re.Message(l); !i18n.Has(l, re.Key) || strings.Contains(m, "{line}") || strings.Contains(m, "{field}") {
				t.Errorf("%s: %s message %q", c.name, l, m)
			}
		}
	}
}

func TestReadNullListsAndTooLarge(t *testing.T) {
	f, err := Read(strings.NewReader(`{"rows": [{"accessLevels": null}]}`))
	if err != nil || len(f.Rows) != 1 || f.Rows[0].AccessLevels == nil {
		t.Fatalf("%+v %v", f, err)
	}
	f, err = Read(strings.NewReader(`{"rows": null}`))
	if err != nil || f.Rows == nil {
		t.Fatalf("%+v %v", f, err)
	}
	big := `{"subunit": "` + strings.Repeat("a", MaxSize) + `"}`
	_, err = Read(strings.NewReader(big))
	var re *ReadError
	if !errors.As(err, &re) || re.Key != "form.read.too_large" {
		t.Fatalf("too large: %v", err)
	}
}

func TestLoadAndResolveOrder(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "app.json")
	if err := os.WriteFile(p, []byte(goodJSON), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := Load(p)
	if err != nil || f.Rows[0].OrderFile != "scans/order.pdf" {
		t.Fatalf("%v %+v", err, f)
	}
	_, err = Load(filepath.Join(dir, "nope.json"))
	var re *ReadError
	if !errors.As(err, &re) || re.Key != "form.read.not_found" || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing: %v", err)
	}
	if got, want := ResolveOrder(p, "scans/order.pdf"), filepath.Join(dir, "scans", "order.pdf"); got != want {
		t.Errorf("relative: %s, want %s", got, want)
	}
	if got, want := ResolveOrder(p, `scans\order.pdf`), filepath.Join(dir, "scans", "order.pdf"); got != want {
		t.Errorf("backslash: %s, want %s", got, want)
	}
	abs := filepath.Join(t.TempDir(), "o.pdf")
	if got := ResolveOrder(p, abs); got != abs {
		t.Errorf("absolute: %s", got)
	}
	if got := ResolveOrder(p, ""); got != "" {
		t.Errorf("empty: %q", got)
	}
	if got, want := ResolveOrder("app.json", "o.pdf"), "o.pdf"; got != want {
		t.Errorf("bare: %s", got)
	}
}

func TestCheckScan(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, ok := range []string{
		write("a.pdf", []byte("%PDF-1.4\n...")),
		write("a.jpg", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10}),
		write("a.png", []byte("\x89PNG\r\n\x1a\n\x00")),
		write("a.tif", []byte("II*\x00\x08\x00")),
		write("b.tif", []byte("MM\x00*\x00\x08")),
		write("no-extension", []byte("%PDF-1.7")), // told by content, not name
	} {
		if err := CheckScan(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for name, c := range map[string]struct{ path, key string }{
		"missing": {filepath.Join(dir, "none.pdf"), "form.order.missing"},
		"dir":     {dir, "form.order.not_file"},
		"empty":   {write("e.pdf", nil), "form.order.empty"},
		"text":    {write("t.pdf", []byte("hello, not a pdf")), "form.order.not_scan"},
		"short":   {write("s.pdf", []byte("%PD")), "form.order.not_scan"},
		"docx":    {write("o.docx", []byte("PK\x03\x04")), "form.order.not_scan"},
	} {
		err := CheckScan(c.path)
		var re *ReadError
		if !errors.As(err, &re) || re.Key != c.key {
			t.Errorf("%s: %v, want %s", name, err, c.key)
		}
	}
	check := OrderChecker(filepath.Join(dir, "app.json"))
	if err := check("a.pdf"); err != nil {
		t.Errorf("checker: %v", err)
	}
	if err := check("none.pdf"); err == nil {
		t.Error("checker accepted a missing file")
	}
}

// FuzzRead: Read never panics, fails only with *ReadError, and whatever it
// accepts survives Write then Read unchanged.
func FuzzRead(f *testing.F) {
	f.Add([]byte(goodJSON))
	for _, s := range []string{"", "{}", "null", `{"rows": [{}]}`, `{"rows": null}`, `{"date": "a", "date": "b"}`,
		`{"Subunit": "x"}`, `{"attachmentPages": -0}`, `{"subunit": "\ud800<>&"}`, "{} {}", `{"rows": [{"accessLevels": null}]}`,
		"\xef\xbb\xbf{}", `{"head": {"position": "\u0000"}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fm, err := Read(bytes.NewReader(b))
		if err != nil {
			var re *ReadError
			if !errors.As(err, &re) || re.Key == "" {
				t.Fatalf("untyped error %T %v", err, err)
			}
			return
		}
		var buf bytes.Buffer
		if err := Write(&buf, fm); err != nil {
			t.Fatal(err)
		}
		g, err := Read(&buf)
		if err != nil {
			t.Fatalf("re-read: %v\n%s", err, buf.String())
		}
		if !reflect.DeepEqual(fm, g) {
			t.Fatalf("round trip:\n%#v\n%#v", fm, g)
		}
		if !bytes.Equal(Canonical(fm), Canonical(g)) {
			t.Fatal("canonical differs")
		}
	})
}

// BenchmarkRead: a 1000-row application (~300 KiB), far above a real one.
func BenchmarkRead(b *testing.B) {
	f, err := Read(strings.NewReader(goodJSON))
	if err != nil {
		b.Fatal(err)
	}
	for len(f.Rows) < 1000 {
		f.Rows = append(f.Rows, f.Rows[len(f.Rows)%2])
	}
	var buf bytes.Buffer
	if err := Write(&buf, f); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		if _, err := Read(bytes.NewReader(buf.Bytes())); err != nil {
			b.Fatal(err)
		}
	}
}
