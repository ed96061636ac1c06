package api

import (
	"time"

	"kense/servicedesk"
)

// ServiceDesk tickets (issue 6). The ticket itself is servicedesk.Ticket:
// the client makes its id, the server registers it (number, time, line 1)
// and keeps its history; every answer carries the SLA clock at the
// server's now, so a client without the calendar still shows a deadline.
const (
	PathTickets  = "/v1/tickets"  // GET (list), POST (file)
	PathTicket   = "/v1/tickets/" // GET, PATCH /v1/tickets/{id}; PUT, GET /v1/tickets/{id}/files/{sha256}
	PathCalendar = "/v1/calendar" // GET, PUT (Operator staff)
)

// Operator staff roles: the lines of support (chapter 3). An account with
// any of them sees the whole queue; it works the tickets on its lines.
const (
	RoleLine1 = "line1"
	RoleLine2 = "line2"
	RoleLine3 = "line3"
)

// Roles lists the staff roles.
var Roles = []string{RoleLine1, RoleLine2, RoleLine3}

// ValidRole reports whether r is a staff role.
func ValidRole(r string) bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// MaxTicketBody bounds POST /v1/tickets and PATCH bodies (a ticket is
// at most a brief, a 10 000-character nature and attachment descriptions).
const MaxTicketBody = 256 << 10

// TicketClock is the SLA clock of a registered ticket at the server's now.
type TicketClock struct {
	// AllottedMinutes and RemainingMinutes are working minutes; remaining
	// is negative once overdue.
	AllottedMinutes  int64     `json:"allottedMinutes"`
	RemainingMinutes int64     `json:"remainingMinutes"`
	Deadline         time.Time `json:"deadline"`
	// AnalysisDue ends the first-response window ("analysis of request
	// from 30 minutes to 2 hours"); absent for types without one.
	AnalysisDue time.Time `json:"analysisDue,omitzero"`
	Light       string    `json:"light"` // ok, amber, red
	Paused      bool      `json:"paused,omitempty"`
}

// TicketView is a ticket with its clock.
type TicketView struct {
	Ticket servicedesk.Ticket `json:"ticket"`
	Clock  *TicketClock       `json:"clock,omitempty"`
}

// TicketReceipt answers POST /v1/tickets: the confirmation of rule 9 —
// identification number, registration time, importance level, deadline
// and the first-response window. Replayed is true when the ticket had
// been registered by an earlier submit of the same id or key.
type TicketReceipt struct {
	Number       string            `json:"number"`
	RegisteredAt time.Time         `json:"registeredAt"`
	Level        servicedesk.Level `json:"level"`
	Line         int               `json:"line"`
	Deadline     time.Time         `json:"deadline"`
	// FirstResponseMin/MaxMinutes are the analysis window in working
	// minutes (30 and 120), absent for types without one.
	FirstResponseMinMinutes int64      `json:"firstResponseMinMinutes,omitempty"`
	FirstResponseMaxMinutes int64      `json:"firstResponseMaxMinutes,omitempty"`
	Replayed                bool       `json:"replayed,omitempty"`
	View                    TicketView `json:"view"`
}

// TicketList answers GET /v1/tickets: the account's own tickets, or the
// whole queue for Operator staff (Staff true, Roles their lines).
type TicketList struct {
	Tickets []TicketView `json:"tickets"`
	Staff   bool         `json:"staff,omitempty"`
	Roles   []string     `json:"roles,omitempty"`
}

// Ticket actions of PATCH /v1/tickets/{id}.
const (
	// Staff only.
	ActionTake     = "take"     // registered → in analysis, by the taker
	ActionStatus   = "status"   // a move of the state machine to Status
	ActionEscalate = "escalate" // to the next line
	// Staff and the initiator.
	ActionComment = "comment"
	// The initiator only: the answer that resumes a ticket waiting for
	// the initiator (the clock runs again); Text is also kept as a comment.
	ActionAnswer = "answer"
)

// TicketPatch is the body of PATCH /v1/tickets/{id}.
type TicketPatch struct {
	Action string             `json:"action"`
	Status servicedesk.Status `json:"status,omitempty"`
	// Text is the comment, the answer, or the note of a status change.
	Text string `json:"text,omitempty"`
}

// Ticket error codes (besides bad_request, not_found, forbidden,
// conflict, idempotency_key_reused).
const (
	CodeInvalidTicket = "invalid_ticket" // ValidateNew refused it; Problems say why
	CodeTransition    = "transition"     // the state machine does not allow it
)

// TicketError is the body of an invalid_ticket answer.
type TicketError struct {
	Code     string          `json:"code"`
	Message  string          `json:"message"`
	Problems []TicketProblem `json:"problems,omitempty"`
}

// TicketProblem is one servicedesk.Problem: the field, and its i18n key so
// the client words it in its own language.
type TicketProblem struct {
	Field string `json:"field"`
	Key   string `json:"key"`
}
