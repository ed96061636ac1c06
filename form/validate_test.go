package form

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kense/i18n"
)

var today = time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)

func validForm() Form {
	return Form{
		Subunit:         "Астана қаласы бойынша филиал",
		Date:            "2026-03-02",
		AttachmentPages: 2,
		Head:            Head{Position: "Директор", FullName: "Сейітов Ерлан Бақытұлы"},
		Rows: []Row{
			{FullName: "Ахметова Айгүл Серікқызы", IIN: "850315427522", IP: "10.12.0.25", UserType: 1,
				Operation: OpRegister, AccessLevels: []string{"B", "K"}, Position: "Тіркеуші", OrderFile: "scans/employment.pdf"},
			{FullName: "Омаров Данияр Асқарұлы", IIN: "921029350851", IP: "192.168.4.17", UserType: 2,
				Operation: OpChangeAccessRights, AccessLevels: []string{"G", "H"}, Position: "Техник"},
			{FullName: "Жұмабаева Сәуле", IIN: "881205404953", IP: "172.16.0.9", UserType: 1,
				Operation: OpDismissal, Position: "Аға тіркеуші", OrderFile: "scans/dismissal.pdf"},
			{FullName: "Омаров Данияр Асқарұлы", IIN: "921029350851", IP: "192.168.4.17", UserType: 2,
				Operation: OpResetPassword, Position: "Техник"},
		},
	}
}

type want struct {
	row   int
	field string
	key   string
}

func keysOf(ps []Problem) []want {
	var ws []want
	for _, p := range ps {
		ws = append(ws, want{p.Row, p.Field, p.Key})
	}
	return ws
}

func TestValidateClean(t *testing.T) {
	if ps := Validate(validForm(), Options{Today: today}); len(ps) != 0 {
		t.Fatalf("valid form: %v", keysOf(ps))
	}
	// Filing today itself is fine; so is an order checker that accepts.
	f := validForm()
	f.Date = "2026-03-10"
	var checked []string
	opt := Options{Today: today, OrderExists: func(s string) error { checked = append(checked, s); return nil }}
	if ps := Validate(f, opt); len(ps) != 0 {
		t.Fatalf("%v", keysOf(ps))
	}
	if len(checked) != 2 || checked[0] != "scans/employment.pdf" || checked[1] != "scans/dismissal.pdf" {
		t.Fatalf("checked %v", checked)
	}
}

// One mutation, the exact problems it causes.
func TestValidateRules(t *testing.T) {
	for _, c := range []struct {
		name string
		mut  func(f *Form)
		want []want
	}{
		{"blank header", func(f *Form) { f.Subunit = " "; f.Head = Head{"", "\t"}; f.Date = "" }, []want{
			{0, "subunit", "form.subunit.required"}, {0, "date", "form.date.required"},
			{0, "head.position", "form.head.position.required"}, {0, "head.fullName", "form.head.fullName.required"}}},
		{"no rows", func(f *Form) { f.Rows = nil; f.AttachmentPages = 0 }, []want{{0, "rows", "form.rows.required"}}},
		{"date format", func(f *Form) { f.Date = "02.03.2026" }, []want{{0, "date", "form.date.invalid"}}},
		{"date unpadded", func(f *Form) { f.Date = "2026-3-2" }, []want{{0, "date", "form.date.invalid"}}},
		{"date not real", func(f *Form) { f.Date = "2026-02-30" }, []want{{0, "date", "form.date.invalid"}}},
		{"date future", func(f *Form) { f.Date = "2026-03-11" }, []want{{0, "date", "form.date.future"}}},
		{"pages negative", func(f *Form) { f.AttachmentPages = -1 }, []want{{0, "attachmentPages", "form.attachmentPages.negative"}}},
		{"pages fewer than orders", func(f *Form) { f.AttachmentPages = 1 }, []want{{0, "attachmentPages", "form.attachmentPages.too_few"}}},
		{"blank row", func(f *Form) { f.Rows = []Row{{}}; f.AttachmentPages = 0 }, []want{
			{1, "fullName", "form.fullName.required"}, {1, "iin", "form.iin.required"}, {1, "ip", "form.ip.required"},
			{1, "userType", "form.userType.required"}, {1, "operation", "form.operation.required"}, {1, "position", "form.position.required"}}},
		{"iin length", func(f *Form) { f.Rows[1].IIN = "92102935085" }, []want{{2, "iin", "form.iin.not_12_digits"}}},
		{"iin spaces", func(f *Form) { f.Rows[1].IIN = "921029 350851" }, []want{{2, "iin", "form.iin.not_12_digits"}}},
		{"iin century", func(f *Form) { f.Rows[1].IIN = "921029050851" }, []want{{2, "iin", "form.iin.bad_century"}}},
		{"iin date", func(f *Form) { f.Rows[1].IIN = "920431350851" }, []want{{2, "iin", "form.iin.bad_date"}}},
		{"iin check", func(f *Form) { f.Rows[1].IIN = "921029350852" }, []want{{2, "iin", "form.iin.bad_check_digit"}}},
		// 2027-01-05, century 5, valid check digit: born after "today".
		{"iin future", func(f *Form) { f.Rows[1].IIN = "270105500008" }, []want{{2, "iin", "form.iin.future_birth"}}},
		{"ip octet", func(f *Form) { f.Rows[0].IP = "10.12.0.256" }, []want{{1, "ip", "form.ip.invalid"}}},
		{"ip three parts", func(f *Form) { f.Rows[0].IP = "10.12.25" }, []want{{1, "ip", "form.ip.invalid"}}},
		{"ip space", func(f *Form) { f.Rows[0].IP = " 10.12.0.25" }, []want{{1, "ip", "form.ip.invalid"}}},
		{"ip sign", func(f *Form) { f.Rows[0].IP = "10.+1.0.25" }, []want{{1, "ip", "form.ip.invalid"}}},
		{"ip leading zero", func(f *Form) { f.Rows[0].IP = "10.012.0.25" }, []want{{1, "ip", "form.ip.leading_zero"}}},
		{"ip mask", func(f *Form) { f.Rows[0].IP = "10.12.0.0/24" }, []want{{1, "ip", "form.ip.range"}}},
		{"ip range", func(f *Form) { f.Rows[0].IP = "10.12.0.1-10.12.0.9" }, []want{{1, "ip", "form.ip.range"}}},
		{"ipv6", func(f *Form) { f.Rows[0].IP = "fe80::1" }, []want{{1, "ip", "form.ip.ipv6"}}},
		{"ipv4 mapped", func(f *Form) { f.Rows[0].IP = "::ffff:10.12.0.25" }, []want{{1, "ip", "form.ip.ipv6"}}},
		{"ip loopback", func(f *Form) { f.Rows[0].IP = "127.0.0.1" }, []want{{1, "ip", "form.ip.not_host"}}},
		{"ip zero", func(f *Form) { f.Rows[0].IP = "0.0.0.0" }, []want{{1, "ip", "form.ip.not_host"}}},
		{"ip broadcast", func(f *Form) { f.Rows[0].IP = "255.255.255.255" }, []want{{1, "ip", "form.ip.not_host"}}},
		{"ip multicast", func(f *Form) { f.Rows[0].IP = "224.0.0.1" }, []want{{1, "ip", "form.ip.not_host"}}},
		{"ip link-local", func(f *Form) { f.Rows[0].IP = "169.254.3.4" }, []want{{1, "ip", "form.ip.not_host"}}},
		{"user type", func(f *Form) { f.Rows[1].UserType = 3 }, []want{{2, "userType", "form.userType.invalid"}}},
		{"operation", func(f *Form) { f.Rows[3].Operation = 14 }, []want{{4, "operation", "form.operation.invalid"}}},
		{"operation negative", func(f *Form) { f.Rows[3].Operation = -1 }, []want{{4, "operation", "form.operation.invalid"}}},
		// H (Admin technician) exists for type 2, not P; P exists for type 1 only.
		{"level for other type", func(f *Form) { f.Rows[1].AccessLevels = []string{"H", "P"} }, []want{{2, "accessLevels", "form.accessLevels.unknown"}}},
		{"level lower case", func(f *Form) { f.Rows[0].AccessLevels = []string{"b"} }, []want{{1, "accessLevels", "form.accessLevels.unknown"}}},
		{"level twice", func(f *Form) { f.Rows[0].AccessLevels = []string{"B", "K", "B"} }, []want{{1, "accessLevels", "form.accessLevels.duplicate"}}},
		{"register without levels", func(f *Form) { f.Rows[0].AccessLevels = nil }, []want{{1, "accessLevels", "form.accessLevels.required"}}},
		{"change rights without levels", func(f *Form) { f.Rows[1].AccessLevels = []string{} }, []want{{2, "accessLevels", "form.accessLevels.required"}}},
		{"op 6 without levels", func(f *Form) { f.Rows[1].Operation = 6; f.Rows[1].AccessLevels = nil }, []want{{2, "accessLevels", "form.accessLevels.required"}}},
		{"levels on reset", func(f *Form) { f.Rows[3].AccessLevels = []string{"A"} }, []want{{4, "accessLevels", "form.accessLevels.not_allowed"}}},
		{"register without order", func(f *Form) { f.Rows[0].OrderFile = ""; f.AttachmentPages = 1 }, []want{{1, "orderFile", "form.order.required_register"}}},
		{"dismissal without order", func(f *Form) { f.Rows[2].OrderFile = " "; f.AttachmentPages = 1 }, []want{{3, "orderFile", "form.order.required_dismissal"}}},
		{"order on other op is fine", func(f *Form) { f.Rows[3].OrderFile = "scans/x.pdf"; f.AttachmentPages = 3 }, nil},
		{"duplicate row", func(f *Form) { f.Rows = append(f.Rows, f.Rows[1]) }, []want{{5, "iin", "form.row.duplicate"}}},
		{"same IIN other operation is fine", func(f *Form) { f.Rows[3].Operation = OpChangeIP }, nil},
		// Several problems in one row come out in the form's field order.
		{"order of fields", func(f *Form) {
			f.Rows[1] = Row{Position: "", UserType: 9, IP: "1.2.3", IIN: "x", FullName: "A", Operation: 2}
		}, []want{{2, "iin", "form.iin.not_12_digits"}, {2, "ip", "form.ip.invalid"}, {2, "userType", "form.userType.invalid"},
			{2, "accessLevels", "form.accessLevels.required"}, {2, "position", "form.position.required"}, {2, "orderFile", "form.order.required_register"}}},
	} {
		f := validForm()
		c.mut(&f)
		got := keysOf(Validate(f, Options{Today: today}))
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s:\n got %v\nwant %v", c.name, got, c.want)
		}
	}
}

func TestValidateSortedAcrossRows(t *testing.T) {
	f := validForm()
	f.Rows[2].Position = ""
	f.Rows[0].IP = ""
	f.Subunit = ""
	f.Rows = append(f.Rows, f.Rows[0])
	ps := Validate(f, Options{Today: today})
	got := keysOf(ps)
	exp := []want{{0, "subunit", "form.subunit.required"}, {1, "ip", "form.ip.required"},
		{3, "position", "form.position.required"}, {5, "iin", "form.row.duplicate"}, {5, "ip", "form.ip.required"}}
	if fmt.Sprint(got) != fmt.Sprint(exp) {
		t.Fatalf("got %v\nwant %v", got, exp)
	}
	if ps[3].Args[1] != 1 {
		t.Fatalf("duplicate names row %v", ps[3].Args)
	}
}

func TestValidateRowAlone(t *testing.T) {
	r := validForm().Rows[0]
	if ps := ValidateRow(r, 7, Options{Today: today}); len(ps) != 0 {
		t.Fatalf("%v", keysOf(ps))
	}
	r.IIN = "921029350852"
	ps := ValidateRow(r, 7, Options{Today: today})
	if len(ps) != 1 || ps[0].Row != 7 || ps[0].Field != "iin" {
		t.Fatalf("%v", keysOf(ps))
	}
}

func TestOrderExists(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "scans"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "scans", "employment.pdf"), []byte("%PDF-1.4\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "scans", "dismissal.pdf"), []byte("Dear HR,"), 0o600); err != nil {
		t.Fatal(err)
	}
	f := validForm()
	ps := Validate(f, Options{Today: today, OrderExists: OrderChecker(filepath.Join(dir, "app.json"))})
	if got := fmt.Sprint(keysOf(ps)); got != fmt.Sprint([]want{{3, "orderFile", "form.order.not_scan"}}) {
		t.Fatalf("got %v", got)
	}
	f.Rows[0].OrderFile = "scans/none.pdf"
	ps = Validate(f, Options{Today: today, OrderExists: OrderChecker(filepath.Join(dir, "app.json"))})
	if len(ps) != 2 || ps[0].Key != "form.order.missing" || !strings.Contains(ps[0].Message(i18n.EN), "none.pdf") {
		t.Fatalf("got %v", keysOf(ps))
	}
	// A caller's own checker: plain errors still become clear problems.
	ps = ValidateRow(f.Rows[0], 1, Options{Today: today, OrderExists: func(string) error { return os.ErrNotExist }})
	if len(ps) != 1 || ps[0].Key != "form.order.missing" {
		t.Fatalf("got %v", keysOf(ps))
	}
	ps = ValidateRow(f.Rows[0], 1, Options{Today: today, OrderExists: func(string) error { return errors.New("disk on fire") }})
	if len(ps) != 1 || ps[0].Key != "form.order.unreadable" || !strings.Contains(ps[0].Message(i18n.RU), "disk on fire") {
		t.Fatalf("got %v", keysOf(ps))
	}
}

func TestRightsRule(t *testing.T) {
	var grants, orders []int
	for _, op := range Operations {
		if GrantsOrChangesRights(op.Code) {
			grants = append(grants, op.Code)
		}
		if OrderRequired(op.Code) {
			orders = append(orders, op.Code)
		}
	}
	if fmt.Sprint(grants) != "[2 6 12]" || fmt.Sprint(orders) != "[2 8]" {
		t.Fatalf("grants %v, orders %v", grants, orders)
	}
}

// Every message the rules can produce exists in all three languages, has
// its placeholders filled, and Line has the documented shape.
func TestMessages(t *testing.T) {
	f := validForm()
	f.Subunit, f.Date, f.AttachmentPages, f.Head = "", "2030-01-01", -2, Head{}
	f.Rows = append(f.Rows,
		Row{IIN: "1", IP: "::1", UserType: 3, Operation: 99},
		Row{IIN: "921029050851", IP: "010.1.1.1", UserType: 1, Operation: 1, AccessLevels: []string{"Z", "A", "A"}},
		Row{IIN: "920431350851", IP: "1.2.3.4/8", UserType: 1, Operation: 2},
		Row{IIN: "921029350852", IP: "127.0.0.1", Operation: 8},
		Row{IIN: "270105500008", IP: "300.1.1.1"},
		Row{IIN: "921029350851", Operation: 12, UserType: 2, AccessLevels: []string{"A"}},
		Row{IIN: "921029350851", Operation: 12, UserType: 2, AccessLevels: []string{"A"}, OrderFile: "x.pdf"},
	)
	ps := Validate(f, Options{Today: today, OrderExists: func(string) error { return &ReadError{Key: "form.order.not_scan", Args: []any{"file", "x.pdf"}} }})
	seen := map[string]bool{}
	for _, p := range ps {
		seen[p.Key] = true
		for _, l := range i18n.Langs {
			if !i18n.Has(l, p.Key) {
				t.Errorf("%s missing in %s", p.Key, l)
			}
			m := p.Message(l)
			if strings.ContainsAny(m, "{}") && !strings.Contains(m, "{...}") {
				t.Errorf("%s/%s unfilled: %q", l, p.Key, m)
			}
		}
	}
	if len(seen) < 25 {
		t.Errorf("only %d distinct messages exercised: %v", len(seen), seen)
	}
	p := Problem{Row: 3, Field: "iin", Key: "form.iin.bad_check_digit", Args: []any{"iin", "921029350852"}}
	if got := p.Line(i18n.EN); got != "row 3: iin: IIN 921029350852: the check digit is wrong: check the number against the ID card, one digit is probably mistyped." {
		t.Errorf("line: %q", got)
	}
	if got := (Problem{Field: "date", Key: "form.date.required"}).Line(i18n.EN); !strings.HasPrefix(got, "row 0: date: Enter the date") {
		t.Errorf("header line: %q", got)
	}
	if got := p.Line(i18n.KK); !strings.HasPrefix(got, "row 3: iin: ЖСН 921029350852") {
		t.Errorf("kk line: %q", got)
	}
}

func BenchmarkValidate(b *testing.B) {
	f := validForm()
	for len(f.Rows) < 100 {
		r := f.Rows[len(f.Rows)%4]
		r.Operation = 1 + len(f.Rows)%13
		f.Rows = append(f.Rows, r)
	}
	b.ReportAllocs()
	for b.Loop() {
		Validate(f, Options{Today: today})
	}
}

// FuzzValidate: whatever Read accepts, Validate never panics, sorts its
// problems, and every problem has a message in all three languages.
func FuzzValidate(f *testing.F) {
	f.Add([]byte(goodJSON))
	f.Add([]byte(`{"date": "2026-02-29", "attachmentPages": -1, "rows": [{"iin": "000229178649", "ip": "1.2.3.04", "userType": 2, "operation": 6, "accessLevels": ["A", "A", "Q"]}]}`))
	f.Add([]byte(`{"rows": [{"ip": "::ffff:1.2.3.4", "operation": 13}, {"ip": "999.1.1.1"}, {"ip": "1.2.3.4/32"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		fm, err := Read(bytes.NewReader(b))
		if err != nil {
			return
		}
		ps := Validate(fm, Options{Today: today, OrderExists: func(string) error { return os.ErrNotExist }})
		for i, p := range ps {
			if p.Row < 0 || p.Row > len(fm.Rows) {
				t.Fatalf("row %d of %d", p.Row, len(fm.Rows))
			}
			if _, ok := fieldOrder[p.Field]; !ok {
				t.Fatalf("unknown field %q", p.Field)
			}
			if i > 0 && (ps[i-1].Row > p.Row || ps[i-1].Row == p.Row && fieldOrder[ps[i-1].Field] > fieldOrder[p.Field]) {
				t.Fatalf("not sorted: %v", keysOf(ps))
			}
			for _, l := range i18n.Langs {
				if !i18n.Has(l, p.Key) {
					t.Fatalf("%s missing in %s", p.Key, l)
				}
			}
		}
	})
}
