package ui

import (
	"crypto/rand"
	"encoding/hex"
	"time"

	"kense/servicedesk"
)

// ServiceDesk tickets (issue 6) as the app sees them. TicketService is
// what cmd/kense/internal/wire implements over the cache's ticket outbox,
// the client and the background sync; the screens are in tickets*.go.

// TicketState is where a ticket stands on this workstation.
type TicketState string

const (
	// TicketOutbox: filed here, waiting to be sent; no number yet.
	TicketOutbox TicketState = "outbox"
	// TicketRegistered: the server's copy as of the last sync.
	TicketRegistered TicketState = "registered"
	// TicketRefused: the server refused it for good (Refusal says why).
	TicketRefused TicketState = "refused"
)

// TicketEntry is one ticket as the screens show it.
type TicketEntry struct {
	Ticket  servicedesk.Ticket
	State   TicketState
	Refusal string
	Filed   time.Time
	// Own: the signed-in user is the initiator (answers when the ticket
	// waits for them). Every ticket of a plain user is their own; Operator
	// staff also see the queue.
	Own bool
}

// TicketReceipt is the confirmation of registration (rule 9 of chapter 3):
// the identification number, the date and time, the importance level and
// the deadline the server answered with.
type TicketReceipt struct {
	ID, Number   string
	RegisteredAt time.Time
	Level        servicedesk.Level
	Line         int
	Deadline     time.Time
	// FirstResponseMin/Max: the "analysis of request" window, zero for
	// the types without one (5 and 7).
	FirstResponseMin, FirstResponseMax time.Duration
}

// Ticket actions (the server's PATCH actions).
const (
	TicketTake     = "take"     // staff: registered → in analysis
	TicketStatus   = "status"   // staff: a move of the state machine
	TicketEscalate = "escalate" // staff: to the next line
	TicketComment  = "comment"  // staff and the initiator
	TicketAnswer   = "answer"   // the initiator, when the ticket waits for them
)

// TicketPatch is one action on a ticket; Text is the comment, the answer
// or the note of a status change.
type TicketPatch struct {
	Action string
	Status servicedesk.Status
	Text   string
}

// TicketService is the ServiceDesk behind the ticket screens. List, File,
// Calendar, Contact, Receipts, Roles and SyncState read or write the local
// cache and return at once; Patch, FileData and SaveCalendar may talk to
// the server and block, so the screens call them off the UI goroutine.
type TicketService interface {
	// List is the user's tickets (for Operator staff, the queue too).
	List() ([]TicketEntry, error)
	// Calendar is the Operator's calendar (the cached one, or the
	// fixed public holidays before the first sync).
	Calendar() servicedesk.Calendar
	// Contact pre-fills the initiator's contact information.
	Contact() servicedesk.Contact
	// File puts t and the bytes of its supporting files in the outbox
	// and asks for a sync soon; the server's confirmation comes later
	// through Receipts.
	File(t servicedesk.Ticket, files [][]byte) (TicketEntry, error)
	// Receipts hands over, once each, the confirmations of the tickets
	// the server registered since the last call.
	Receipts() []TicketReceipt
	// Roles are the account's Operator lines ("line1"…"line3"), as of the
	// last sync; none for a plain user.
	Roles() []string
	// Patch does one action on a registered ticket on the server and
	// keeps the server's copy. It blocks.
	Patch(id string, p TicketPatch) (TicketEntry, error)
	// FileData is the bytes of supporting file a of ticket id: the local
	// copy of a file still waiting to be uploaded, else the server's. It
	// returns them only when they are exactly the file a describes (size,
	// SHA-256 and sniffed type, a.Matches); anything else is an error.
	// It blocks.
	FileData(id string, a servicedesk.Attachment) ([]byte, error)
	// SaveCalendar stores cal, made by editing base, as the Operator's
	// calendar on the server (Operator staff only) and, on success,
	// Calendar is cal from then on. When the server's calendar is no
	// longer base (someone saved meanwhile), nothing is stored and the
	// error says so. It blocks.
	SaveCalendar(base, cal servicedesk.Calendar) error
	// Refresh asks for a sync soon.
	Refresh()
	// SyncState is when the tickets last synced and why the last try
	// failed (nil when it did not).
	SyncState() (at time.Time, err error)
}

// newTicketID makes a filed ticket's id: the server registers an id once,
// so a double submit or a retried sync cannot make two tickets.
func newTicketID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
