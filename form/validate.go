package form

import (
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"kense/i18n"
	"kense/iin"
)

// GrantsOrChangesRights reports whether operation op grants or changes
// access rights, so that its row must name at least one access level:
// 2 (register), 6 (change authority, name and access rights) and 12 (change
// access rights). Every other operation leaves the rights as they are, and
// its row must leave the access levels empty: a level there would read as a
// request the operation cannot carry out.
func GrantsOrChangesRights(op int) bool {
	switch op {
	case OpRegister, OpChangeAuthorityNameAndAccess, OpChangeAccessRights:
		return true
	}
	return false
}

// OrderRequired reports whether operation op needs the scanned order
// attached, as the seed's operation table marks it: 2 (order of employment)
// and 8 (order of dismissal). Access rule 5 also asks for "the relevant
// order" on transfers (operations 4–6); the form does not mark those as
// mandatory, so an order there is accepted (and checked) but not required.
func OrderRequired(op int) bool { return op == OpRegister || op == OpDismissal }

// Problem is one thing to fix before the application can be sent.
type Problem struct {
	Row   int    // 0 = the header (subunit, date, head, attachmentPages); 1-based row otherwise
	Field string // JSON field name: "subunit", "date", "attachmentPages", "head.position", "head.fullName", "rows", "fullName", "iin", "ip", "userType", "operation", "accessLevels", "position", "orderFile"
	Key   string // i18n key of the message
	Args  []any  // placeholder name/value pairs for i18n
}

// Message is the problem in language l, saying what to do.
func (p Problem) Message(l i18n.Lang) string { return i18n.TL(l, p.Key, p.Args...) }

// Line is "row N: field: message" (row 0 is the header),
// as kensectl prints it. The field stays the JSON name in every language.
//
// The "row N: field:" prefix is a contract that scripts parse (README), so
// it is never translated: row 0 is the header, the field is its JSON name;
// only the message is in the user's language.
func (p Problem) Line(l i18n.Lang) string {
	return fmt.Sprintf("row %d: %s: %s", p.Row, p.Field, p.Message(l))
}

// Options are the parts of validation that depend on the caller.
type Options struct {
	// OrderExists checks a row's orderFile (exists, is a scan); nil skips
	// the check and only requires the name. OrderChecker builds one for a
	// form read from a file. Its *ReadError keys become the message.
	OrderExists func(orderFile string) error
	// Today bounds the filing date and birth dates; zero means time.Now().
	// Its calendar date is taken in its own location.
	Today time.Time
}

func (o Options) today() string {
	t := o.Today
	if t.IsZero() {
		t = time.Now()
	}
	return t.Format(time.DateOnly)
}

// fieldOrder is the order of the form: problems sort by row, then by it.
var fieldOrder = map[string]int{}

func init() {
	for i, f := range []string{"subunit", "date", "attachmentPages", "head.position", "head.fullName", "rows",
		"fullName", "iin", "ip", "userType", "operation", "accessLevels", "position", "orderFile"} {
		fieldOrder[f] = i
	}
}

// Validate checks the whole application: the header, every row, and rules
// across rows (repeated rows, the attachment page count). The result is
// sorted by row, then by the form's field order; nil means the application
// may be printed and sent.
//
// Header rules: subunit, head position and head full name not blank; date
// a real YYYY-MM-DD date not after today; attachmentPages not negative and,
// when rows carry scanned orders, at least one page per distinct order file;
// at least one row.
func Validate(f Form, opt Options) []Problem {
	if opt.Today.IsZero() {
		opt.Today = time.Now() // one "today" for the header and every row
	}
	var ps []Problem
	add := func(field, key string, args ...any) {
		ps = append(ps, Problem{Row: 0, Field: field, Key: key, Args: args})
	}
	if blank(f.Subunit) {
		add("subunit", "form.subunit.required")
	}
	today := opt.today()
	switch d, err := time.Parse(time.DateOnly, f.Date); {
	case blank(f.Date):
		add("date", "form.date.required")
	case err != nil || d.Format(time.DateOnly) != f.Date:
		add("date", "form.date.invalid", "date", f.Date)
	case f.Date > today: // same layout: string order is date order
		add("date", "form.date.future", "date", f.Date, "today", today)
	}
	orders := map[string]bool{}
	for _, r := range f.Rows {
		if !blank(r.OrderFile) {
			orders[r.OrderFile] = true
		}
	}
	switch {
	case f.AttachmentPages < 0:
		add("attachmentPages", "form.attachmentPages.negative", "n", f.AttachmentPages)
	case f.AttachmentPages < len(orders):
		add("attachmentPages", "form.attachmentPages.too_few", "n", f.AttachmentPages, "orders", len(orders))
	}
	if blank(f.Head.Position) {
		add("head.position", "form.head.position.required")
	}
	if blank(f.Head.FullName) {
		add("head.fullName", "form.head.fullName.required")
	}
	if len(f.Rows) == 0 {
		add("rows", "form.rows.required")
	}
	first := map[[2]string]int{} // IIN + operation -> first row
	for i, r := range f.Rows {
		n := i + 1
		ps = append(ps, ValidateRow(r, n, opt)...)
		if blank(r.IIN) {
			continue
		}
		k := [2]string{r.IIN, strconv.Itoa(r.Operation)}
		if prev, dup := first[k]; dup {
			ps = append(ps, Problem{Row: n, Field: "iin", Key: "form.row.duplicate", Args: []any{"row", prev}})
		} else {
			first[k] = n
		}
	}
	sortProblems(ps)
	return ps
}

// ValidateRow checks row r, numbered n (1-based), on its own: what the UI
// shows while the row is edited. Rules across rows are Validate's.
func ValidateRow(r Row, n int, opt Options) []Problem {
	var ps []Problem
	add := func(field, key string, args ...any) {
		ps = append(ps, Problem{Row: n, Field: field, Key: key, Args: args})
	}
	if blank(r.FullName) {
		add("fullName", "form.fullName.required")
	}
	if blank(r.IIN) {
		add("iin", "form.iin.required")
	} else if id, err := iin.Parse(r.IIN); err != nil {
		code := iin.Code("invalid")
		var e *iin.Error
		if errors.As(err, &e) {
			code = e.Code
		}
		add("iin", "form.iin."+string(code), "iin", r.IIN)
	} else if born := id.BirthDate.Format(time.DateOnly); born > opt.today() {
		add("iin", "form.iin.future_birth", "iin", r.IIN, "date", born)
	}
	if blank(r.IP) {
		add("ip", "form.ip.required")
	} else if key := checkIP(r.IP); key != "" {
		add("ip", key, "ip", r.IP)
	}
	_, typeOK := FindUserType(r.UserType)
	switch {
	case r.UserType == 0:
		add("userType", "form.userType.required")
	case !typeOK:
		add("userType", "form.userType.invalid", "type", r.UserType)
	}
	_, opOK := FindOperation(r.Operation)
	switch {
	case r.Operation == 0:
		add("operation", "form.operation.required")
	case !opOK:
		add("operation", "form.operation.invalid", "op", r.Operation)
	}
	if typeOK {
		seen := map[string]bool{}
		for _, l := range r.AccessLevels {
			switch _, ok := FindAccessLevel(r.UserType, l); {
			case !ok:
				add("accessLevels", "form.accessLevels.unknown", "level", l, "type", r.UserType, "list", levelCodes(r.UserType))
			case seen[l]:
				add("accessLevels", "form.accessLevels.duplicate", "level", l)
			}
			seen[l] = true
		}
	}
	if opOK {
		switch grants := GrantsOrChangesRights(r.Operation); {
		case grants && len(r.AccessLevels) == 0:
			add("accessLevels", "form.accessLevels.required", "op", r.Operation)
		case !grants && len(r.AccessLevels) > 0:
			add("accessLevels", "form.accessLevels.not_allowed", "op", r.Operation)
		}
	}
	if blank(r.Position) {
		add("position", "form.position.required")
	}
	switch {
	case blank(r.OrderFile):
		if r.Operation == OpRegister {
			add("orderFile", "form.order.required_register")
		} else if r.Operation == OpDismissal {
			add("orderFile", "form.order.required_dismissal")
		}
	case opt.OrderExists != nil:
		if err := opt.OrderExists(r.OrderFile); err != nil {
			var re *ReadError
			switch {
			case errors.As(err, &re):
				add("orderFile", re.Key, re.Args...)
			case errors.Is(err, fs.ErrNotExist):
				add("orderFile", "form.order.missing", "file", r.OrderFile)
			default:
				add("orderFile", "form.order.unreadable", "file", r.OrderFile, "err", err.Error())
			}
		}
	}
	sortProblems(ps)
	return ps
}

// checkIP returns the i18n key of what is wrong with s as a computer's IPv4
// address, or "" when it is fine. Only the dotted quad is accepted: four
// decimal numbers 0–255 without leading zeros (010 means 8 to some tools and
// 10 to others), no IPv6, no mask or range, no spaces. The address must be
// one a PC can have: not unspecified (0.x), loopback (127.x), link-local
// (169.254.x, what Windows picks when DHCP fails), multicast or reserved
// (224 and above). Private networks (10.x, 172.16–31.x, 192.168.x) are the
// usual case and are accepted.
func checkIP(s string) string {
	switch {
	case strings.ContainsAny(s, "/-"):
		return "form.ip.range"
	case strings.Contains(s, ":"):
		return "form.ip.ipv6"
	}
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return "form.ip.invalid"
	}
	for _, p := range parts {
		if p == "" || len(p) > 3 || strings.Trim(p, "0123456789") != "" {
			return "form.ip.invalid"
		}
		if len(p) > 1 && p[0] == '0' {
			return "form.ip.leading_zero"
		}
		if v, _ := strconv.Atoi(p); v > 255 {
			return "form.ip.invalid"
		}
	}
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() {
		return "form.ip.invalid"
	}
	b := a.As4()
	switch {
	case b[0] == 0, a.IsLoopback(), a.IsLinkLocalUnicast(), b[0] >= 224:
		return "form.ip.not_host"
	}
	return ""
}

func levelCodes(userType int) string {
	var cs []string
	for _, l := range AccessLevelsFor(userType) {
		cs = append(cs, l.Code)
	}
	return strings.Join(cs, ", ")
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }

func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Row != ps[j].Row {
			return ps[i].Row < ps[j].Row
		}
		return fieldOrder[ps[i].Field] < fieldOrder[ps[j].Field]
	})
}
