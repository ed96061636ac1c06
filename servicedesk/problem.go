package servicedesk

import (
	"strings"

	"kense/i18n"
)

// Problem is one thing wrong with a ticket, a calendar or an attachment: the
// field it concerns (a JSON path such as "contact.email" or
// "attachments[1]"), an i18n key and its placeholder arguments (name/value
// pairs). It is also an error, worded in the current language.
type Problem struct {
	Field string
	Key   string
	Args  []any
}

// Message words the problem in language l. Levels and statuses among the
// arguments are shown by their translated names.
func (p Problem) Message(l i18n.Lang) string {
	args := make([]any, len(p.Args))
	for i, a := range p.Args {
		switch v := a.(type) {
		case Level:
			if v.Valid() {
				a = i18n.TL(l, LevelKey(v))
			}
		case Status:
			if v.Valid() {
				a = i18n.TL(l, v.Key())
			}
		}
		args[i] = a
	}
	return i18n.TL(l, p.Key, args...)
}

func (p Problem) Error() string {
	if p.Field == "" {
		return p.Message(i18n.Current())
	}
	return p.Field + ": " + p.Message(i18n.Current())
}

// Problems is a list of problems; as an error it joins them.
type Problems []Problem

func (ps Problems) Error() string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.Error()
	}
	return strings.Join(s, "; ")
}

// Err is nil for an empty list, so that callers can return ps.Err().
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	return ps
}

func (ps *Problems) add(field, key string, args ...any) {
	*ps = append(*ps, Problem{Field: field, Key: key, Args: args})
}
