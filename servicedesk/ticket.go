package servicedesk

import (
	"fmt"
	"io"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Ticket is a failure or request registered in AS SD (chapter 3). Its JSON
// shape is a contract between app, server and kensectl: extend it, never
// rename a field.
type Ticket struct {
	// ID is made by the client when the ticket is filed: it makes filing
	// idempotent (a double submit or a retried sync registers it once).
	ID string `json:"id"`
	// Number is the identification number the server assigns at
	// registration (rule 8); empty until then.
	Number string `json:"number,omitempty"`
	// Brief is the brief description of the fault (rule 7.1).
	Brief string `json:"brief"`
	// Nature describes the failure or request (rule 7.2).
	Nature      string       `json:"nature"`
	Attachments []Attachment `json:"attachments,omitempty"`
	// IncidentAt is the date and time of the incident, when known.
	IncidentAt time.Time `json:"incidentAt,omitzero"`
	// PropertyID is the property identifier, ReferenceCode the unique code
	// of the reference, where there is one (rule 7.2).
	PropertyID    string `json:"propertyId,omitempty"`
	ReferenceCode string `json:"referenceCode,omitempty"`
	// Contact is the initiator's contact information (rule 7.3): the app
	// fills it from the account, the user may edit it.
	Contact Contact     `json:"contact"`
	Type    RequestType `json:"type"`
	Level   Level       `json:"level"`
	// Status, Line, OpenedAt and History are the server's: empty until the
	// ticket is registered.
	Status   Status    `json:"status,omitempty"`
	Line     int       `json:"line,omitempty"`
	OpenedAt time.Time `json:"openedAt,omitzero"`
	History  []Change  `json:"history,omitempty"`
	Comments []Comment `json:"comments,omitempty"`
}

// Contact is the initiator's contact information.
type Contact struct {
	Name  string `json:"name"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

// Comment is a remark on a ticket by the initiator or the Operator.
type Comment struct {
	At     time.Time `json:"at"`
	Author string    `json:"author"`
	Text   string    `json:"text"`
}

// Limits of a ticket's JSON and texts.
const (
	MaxTicketJSON  = 1 << 20
	MaxIDLen       = 64
	MaxNumberLen   = 32
	MaxBriefLen    = 200
	MaxNatureLen   = 10000
	MaxCodeLen     = 64
	MaxNameLen     = 200
	MaxCommentLen  = 5000
	MaxComments    = 500
	MaxHistory     = 500
	clockSkew      = 5 * time.Minute
	earliestTicket = 2000
)

// ReadTicket reads one ticket strictly: at most MaxTicketJSON bytes, no
// unknown fields, nothing after the value. It checks the syntax only; call
// Validate for the rules.
func ReadTicket(r io.Reader) (*Ticket, error) {
	var t Ticket
	if err := decodeStrict(r, MaxTicketJSON, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// Comment adds a comment.
func (t *Ticket) Comment(at time.Time, author, text string) error {
	var ps Problems
	checkComment(&ps, "comment", Comment{At: at, Author: author, Text: text})
	if len(ps) > 0 {
		return ps[0]
	}
	if len(t.Comments) >= MaxComments {
		return Problem{Field: "comments", Key: "sd.err.tooMany", Args: []any{"max", MaxComments}}
	}
	t.Comments = append(t.Comments, Comment{At: at, Author: author, Text: text})
	return nil
}

// Validate checks a ticket against chapter 3 and the appendix, and, once
// registered, that its status, line and history are consistent. now bounds
// the incident time (a few minutes of clock skew allowed).
func (t *Ticket) Validate(now time.Time) Problems {
	var ps Problems
	if !validID(t.ID) {
		ps.add("id", "sd.err.id", "max", MaxIDLen)
	}
	checkText(&ps, "brief", t.Brief, MaxBriefLen, true, false)
	checkText(&ps, "nature", t.Nature, MaxNatureLen, true, true)
	if !t.IncidentAt.IsZero() {
		switch {
		case t.IncidentAt.Year() < earliestTicket:
			ps.add("incidentAt", "sd.err.incidentOld")
		case t.IncidentAt.After(now.Add(clockSkew)),
			!t.OpenedAt.IsZero() && t.IncidentAt.After(t.OpenedAt.Add(clockSkew)):
			ps.add("incidentAt", "sd.err.incidentFuture")
		}
	}
	checkText(&ps, "propertyId", t.PropertyID, MaxCodeLen, false, false)
	checkText(&ps, "referenceCode", t.ReferenceCode, MaxCodeLen, false, false)
	checkContact(&ps, t.Contact)
	if _, ok := Row(t.Type); !ok {
		ps.add("type", "sd.err.type", "type", int(t.Type))
	} else if _, err := Allotted(t.Type, t.Level); err != nil {
		if p, ok := err.(Problem); ok {
			ps = append(ps, p)
		}
	}
	checkAttachments(&ps, t.Attachments)
	if len(t.Comments) > MaxComments {
		ps.add("comments", "sd.err.tooMany", "max", MaxComments)
	} else {
		for i, c := range t.Comments {
			checkComment(&ps, fmt.Sprintf("comments[%d]", i), c)
		}
	}
	t.checkState(&ps)
	return ps
}

// ValidateNew checks a ticket as filed by a client: Validate, and nothing
// that only registration may set (number, status, line, time, history).
func (t *Ticket) ValidateNew(now time.Time) Problems {
	ps := t.Validate(now)
	if t.Number != "" {
		ps.add("number", "sd.err.registeredTwice")
	}
	return ps
}

func (t *Ticket) checkState(ps *Problems) {
	if t.Number == "" {
		if t.Status != "" || t.Line != 0 || !t.OpenedAt.IsZero() || len(t.History) > 0 {
			ps.add("number", "sd.err.stateWithoutNumber")
		}
		return
	}
	if len(t.Number) > MaxNumberLen || !printable(t.Number, false) {
		ps.add("number", "sd.err.number", "max", MaxNumberLen)
	}
	if t.OpenedAt.IsZero() || t.OpenedAt.Year() < earliestTicket {
		ps.add("openedAt", "sd.err.required")
		return
	}
	if len(t.History) == 0 || len(t.History) > MaxHistory {
		ps.add("history", "sd.err.history")
		return
	}
	h0 := t.History[0]
	if h0.Status != StatusRegistered || h0.Line != RegisteringLine || !h0.At.Equal(t.OpenedAt) {
		ps.add("history[0]", "sd.err.history")
		return
	}
	for i := 1; i < len(t.History); i++ {
		prev, c := t.History[i-1], t.History[i]
		f := fmt.Sprintf("history[%d]", i)
		switch {
		case c.At.Before(prev.At):
			ps.add(f, "sd.err.timeOrder")
			return
		case c.Status == prev.Status && c.Line == prev.Line+1 && c.Line <= MaxLine:
			// an escalation
		case c.Line == prev.Line && CanMove(prev.Status, c.Status):
		default:
			ps.add(f, "sd.err.transition", "from", prev.Status, "to", c.Status)
			return
		}
		if len(c.Actor) > MaxNameLen || len(c.Note) > MaxCommentLen {
			ps.add(f, "sd.err.tooLong", "max", MaxCommentLen)
			return
		}
	}
	last := t.History[len(t.History)-1]
	if t.Status != last.Status || t.Line != last.Line {
		ps.add("status", "sd.err.history")
	}
}

func validID(s string) bool {
	if s == "" || len(s) > MaxIDLen {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// printable: valid UTF-8 without control characters (line breaks and tabs
// allowed when multiline).
func printable(s string, multiline bool) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\r' || r == '\t')) {
			return false
		}
	}
	return true
}

func checkText(ps *Problems, field, s string, max int, required, multiline bool) {
	switch {
	case strings.TrimSpace(s) == "":
		if required {
			ps.add(field, "sd.err.required")
		}
	case !printable(s, multiline):
		ps.add(field, "sd.err.text")
	case utf8.RuneCountInString(s) > max:
		ps.add(field, "sd.err.tooLong", "max", max)
	}
}

func checkContact(ps *Problems, c Contact) {
	checkText(ps, "contact.name", c.Name, MaxNameLen, true, false)
	if strings.TrimSpace(c.Phone) == "" && strings.TrimSpace(c.Email) == "" {
		ps.add("contact", "sd.err.contactMissing")
		return
	}
	if c.Phone != "" && !validPhone(c.Phone) {
		ps.add("contact.phone", "sd.err.phone")
	}
	if c.Email != "" && !validEmail(c.Email) {
		ps.add("contact.email", "sd.err.email")
	}
}

// validPhone accepts what people write: +7 (701) 123-45-67, 8 7172 55 55 55,
// an internal 14-14; 4 to 15 digits (E.164's most).
func validPhone(s string) bool {
	if len(s) > 32 {
		return false
	}
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0, r == ' ', r == '-', r == '(', r == ')':
		default:
			return false
		}
	}
	return digits >= 4 && digits <= 15
}

func validEmail(s string) bool {
	if len(s) > 254 {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".")
}

func checkComment(ps *Problems, field string, c Comment) {
	if c.At.IsZero() {
		ps.add(field+".at", "sd.err.required")
	}
	checkText(ps, field+".author", c.Author, MaxNameLen, true, false)
	checkText(ps, field+".text", c.Text, MaxCommentLen, true, true)
}
