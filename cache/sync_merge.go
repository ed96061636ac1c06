package cache

import (
	"fmt"
	"slices"

	"kense/form"
)

// Merging a row field by field. ResolveMerge takes a choice for a whole
// differing row ("rows[N]") or, when both sides have the row, one for each
// of its differing fields ("rows[N].iin", named as in the form's JSON).

// RowFields are a row's fields by their JSON names, in form order.
var RowFields = []string{"fullName", "iin", "ip", "userType", "operation", "accessLevels", "position", "orderFile"}

// rowFieldsDiffer lists the fields of row that differ between a and b.
func rowFieldsDiffer(a, b form.Row) []string {
	var out []string
	for _, f := range RowFields {
		if !rowFieldEqual(a, b, f) {
			out = append(out, f)
		}
	}
	return out
}

func rowFieldEqual(a, b form.Row, field string) bool {
	switch field {
	case "fullName":
		return a.FullName == b.FullName
	case "iin":
		return a.IIN == b.IIN
	case "ip":
		return a.IP == b.IP
	case "userType":
		return a.UserType == b.UserType
	case "operation":
		return a.Operation == b.Operation
	case "accessLevels":
		return slices.Equal(a.AccessLevels, b.AccessLevels)
	case "position":
		return a.Position == b.Position
	case "orderFile":
		return a.OrderFile == b.OrderFile
	}
	return true
}

// takeRowField copies field from src into dst.
func takeRowField(dst *form.Row, src form.Row, field string) {
	switch field {
	case "fullName":
		dst.FullName = src.FullName
	case "iin":
		dst.IIN = src.IIN
	case "ip":
		dst.IP = src.IP
	case "userType":
		dst.UserType = src.UserType
	case "operation":
		dst.Operation = src.Operation
	case "accessLevels":
		dst.AccessLevels = slices.Clone(src.AccessLevels)
	case "position":
		dst.Position = src.Position
	case "orderFile":
		dst.OrderFile = src.OrderFile
	}
}

// rowChoiceMissing names what is missing to merge differing row i: nothing
// when the whole row is chosen, else each differing field without a
// choice (or the whole row, when only one side has it).
func rowChoiceMissing(i int, m, t []form.Row, choices map[string]Choice) []string {
	whole := fmt.Sprintf("rows[%d]", i)
	if c := choices[whole]; c == ChoiceMine || c == ChoiceTheirs {
		return nil
	}
	if i >= len(m) || i >= len(t) {
		return []string{whole}
	}
	var missing []string
	for _, f := range rowFieldsDiffer(m[i], t[i]) {
		key := whole + "." + f
		if c := choices[key]; c != ChoiceMine && c != ChoiceTheirs {
			missing = append(missing, key)
		}
	}
	return missing
}

// mergeRow is row i of the merge: the chosen whole row, or mine with the
// fields chosen from theirs; keep false leaves the row out.
func mergeRow(i int, m, t []form.Row, choices map[string]Choice) (r form.Row, keep bool) {
	whole := fmt.Sprintf("rows[%d]", i)
	switch choices[whole] {
	case ChoiceTheirs:
		if i < len(t) {
			return t[i], true
		}
		return r, false
	case ChoiceMine:
		if i < len(m) {
			return m[i], true
		}
		return r, false
	}
	if i >= len(m) || i >= len(t) {
		// Equal rows only: a row one side lacks always differs.
		if i < len(m) {
			return m[i], true
		}
		return r, false
	}
	r = m[i]
	r.AccessLevels = slices.Clone(r.AccessLevels)
	for _, f := range RowFields {
		if choices[whole+"."+f] == ChoiceTheirs {
			takeRowField(&r, t[i], f)
		}
	}
	return r, true
}
