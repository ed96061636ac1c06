package servicedesk

import "time"

// Status is where a ticket stands.
type Status string

const (
	StatusRegistered Status = "registered"
	StatusInAnalysis Status = "in_analysis"
	StatusInProgress Status = "in_progress"
	StatusWaiting    Status = "waiting_for_initiator"
	StatusResolved   Status = "resolved"
	StatusClosed     Status = "closed"
)

// Statuses lists the statuses in their usual order.
var Statuses = []Status{StatusRegistered, StatusInAnalysis, StatusInProgress, StatusWaiting, StatusResolved, StatusClosed}

// transitions is the state machine. Waiting for the initiator goes back to
// work when the initiator answers (or straight to resolved when the answer
// settles it); a resolved ticket is closed or reopened; closed is final.
var transitions = map[Status][]Status{
	StatusRegistered: {StatusInAnalysis, StatusInProgress, StatusWaiting, StatusResolved},
	StatusInAnalysis: {StatusInProgress, StatusWaiting, StatusResolved},
	StatusInProgress: {StatusInAnalysis, StatusWaiting, StatusResolved},
	StatusWaiting:    {StatusInAnalysis, StatusInProgress, StatusResolved},
	StatusResolved:   {StatusInProgress, StatusClosed},
	StatusClosed:     nil,
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { _, ok := transitions[s]; return ok }

// Paused reports whether the SLA clock stands still in s: waiting on the
// initiator, and once resolved or closed (reopening resumes it).
func (s Status) Paused() bool {
	return s == StatusWaiting || s == StatusResolved || s == StatusClosed
}

// Key is the i18n key of the status's label.
func (s Status) Key() string { return "sd.status." + string(s) }

// CanMove reports whether the state machine allows from → to.
func CanMove(from, to Status) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// MaxLine is the highest Operator line: line 3.
const MaxLine = 3

// Change is one entry of a ticket's history: the status and line after it.
type Change struct {
	At     time.Time `json:"at"`
	Status Status    `json:"status"`
	Line   int       `json:"line"`
	Actor  string    `json:"actor,omitempty"`
	Note   string    `json:"note,omitempty"`
}

// RegisteringLine is the Operator's line that registers every request and
// escalates it (definition 9, rules 8 and 9); the appendix's "Operator line
// number" is the line that then solves it (OperatorLine).
const RegisteringLine = 1

// Register is the registration of rule 8: the identification number, the
// date and time; the ticket starts on line 1, whose employees confirm it to
// the initiator (rule 9) and escalate it.
func (t *Ticket) Register(number string, at time.Time) error {
	if t.Number != "" || t.Status != "" || len(t.History) > 0 {
		return Problem{Field: "number", Key: "sd.err.registeredTwice"}
	}
	if number == "" || at.IsZero() {
		return Problem{Field: "number", Key: "sd.err.required"}
	}
	t.Number, t.OpenedAt, t.Status, t.Line = number, at, StatusRegistered, RegisteringLine
	t.History = []Change{{At: at, Status: StatusRegistered, Line: RegisteringLine}}
	return nil
}

func (t *Ticket) last() (Change, error) {
	if t.Number == "" || len(t.History) == 0 {
		return Change{}, Problem{Field: "number", Key: "sd.err.notRegistered"}
	}
	return t.History[len(t.History)-1], nil
}

// Move changes the status, if the state machine allows it.
func (t *Ticket) Move(to Status, at time.Time, actor, note string) error {
	last, err := t.last()
	if err != nil {
		return err
	}
	if !CanMove(t.Status, to) {
		return Problem{Field: "status", Key: "sd.err.transition", Args: []any{"from", t.Status, "to", to}}
	}
	if at.Before(last.At) {
		return Problem{Field: "history", Key: "sd.err.timeOrder"}
	}
	t.Status = to
	t.History = append(t.History, Change{At: at, Status: to, Line: t.Line, Actor: actor, Note: note})
	return nil
}

// Resume is the initiator's answer: a ticket waiting for the initiator goes
// back to the status it had before, and the clock runs again.
func (t *Ticket) Resume(at time.Time, actor, note string) error {
	if t.Status != StatusWaiting {
		return Problem{Field: "status", Key: "sd.err.transition", Args: []any{"from", t.Status, "to", StatusInProgress}}
	}
	to := StatusInProgress
	for i := len(t.History) - 1; i >= 0; i-- {
		if s := t.History[i].Status; s != StatusWaiting {
			if s == StatusInAnalysis {
				to = s
			}
			break
		}
	}
	return t.Move(to, at, actor, note)
}

// Escalate hands the ticket to the next line.
func (t *Ticket) Escalate(at time.Time, actor, note string) error {
	last, err := t.last()
	if err != nil {
		return err
	}
	if t.Line >= MaxLine || t.Status == StatusResolved || t.Status == StatusClosed {
		return Problem{Field: "line", Key: "sd.err.escalate", Args: []any{"line", t.Line}}
	}
	if at.Before(last.At) {
		return Problem{Field: "history", Key: "sd.err.timeOrder"}
	}
	t.Line++
	t.History = append(t.History, Change{At: at, Status: t.Status, Line: t.Line, Actor: actor, Note: note})
	return nil
}

// Pauses are the stretches the clock stood still, from the history; one
// still going at now ends at now.
func (t *Ticket) Pauses(now time.Time) []Interval {
	var out []Interval
	for i, c := range t.History {
		if !c.Status.Paused() {
			continue
		}
		end := now
		if i+1 < len(t.History) {
			end = t.History[i+1].At
		}
		if n := len(out); n > 0 && out[n-1].End.Equal(c.At) {
			out[n-1].End = end // an escalation while waiting continues the pause
			continue
		}
		out = append(out, Interval{Start: c.At, End: end})
	}
	return out
}
