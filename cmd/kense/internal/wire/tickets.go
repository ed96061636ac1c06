package wire

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"kense/api"
	"kense/cache"
	"kense/client"
	"kense/i18n"
	"kense/servicedesk"
	"kense/ui"
)

// patchTimeout bounds one ticket action on the server; fileTimeout one
// download of a supporting file (up to 10 MiB, on a slow line too).
const (
	patchTimeout = 30 * time.Second
	fileTimeout  = 2 * time.Minute
)

// Tickets is ui.TicketService over the cache's ticket outbox and the
// signed-in client (issue 6). Filing writes the outbox and kicks the
// background sync; each sync round (SyncRound, from the shell's runner)
// sends the outbox with client.SyncTickets, pulls the account's tickets
// (the queue, for staff) and the Operator's calendar, and keeps the
// confirmations of what it registered for the screens.
type Tickets struct {
	St      *cache.Store
	Account string // the signed-in account's IIN
	Name    string // its full name, the contact's default
	// Client is the signed-in client (nil: none, actions fail offline).
	Client func() *client.Client
	// Kick asks the background runner for a round soon (nil: nothing).
	Kick func()
	Now  func() time.Time

	mu       sync.Mutex
	receipts []ui.TicketReceipt
	roles    []string
	syncedAt time.Time
	syncErr  error
}

var _ ui.TicketService = (*Tickets)(nil)

func (t *Tickets) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

// signedIn is the signed-in client, nil when there is none.
func (t *Tickets) signedIn() *client.Client {
	if t.Client == nil {
		return nil
	}
	return t.Client()
}

func (t *Tickets) staff() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.roles) > 0
}

// entry is a cache entry as the screens see it. Staff keep the whole
// queue in their view; their own tickets are those filed here (only a
// ticket filed from this cache has an idempotency key).
func (t *Tickets) entry(e cache.TicketEntry, staff bool) ui.TicketEntry {
	return ui.TicketEntry{Ticket: e.Ticket, State: ui.TicketState(e.State), Refusal: e.Refusal, Filed: e.Filed,
		Own: !staff || e.Key != ""}
}

func (t *Tickets) List() ([]ui.TicketEntry, error) {
	es, err := t.St.Tickets(t.Account)
	staff := t.staff()
	out := make([]ui.TicketEntry, 0, len(es))
	for _, e := range es {
		out = append(out, t.entry(e, staff))
	}
	return out, err
}

func (t *Tickets) Calendar() servicedesk.Calendar { return client.TicketCalendarOr(t.St, t.now()) }

// Contact is the account's name, and the phone and e-mail of the user's
// latest ticket filed here (the account has no phone or e-mail of its
// own); all editable on the form.
func (t *Tickets) Contact() servicedesk.Contact {
	c := servicedesk.Contact{Name: t.Name}
	es, err := t.St.Tickets(t.Account)
	if err != nil {
		return c
	}
	var last time.Time
	for _, e := range es {
		if e.Key == "" || e.Filed.Before(last) {
			continue
		}
		last = e.Filed
		c.Phone, c.Email = e.Ticket.Contact.Phone, e.Ticket.Contact.Email
		if c.Name == "" {
			c.Name = e.Ticket.Contact.Name
		}
	}
	return c
}

func (t *Tickets) File(tk servicedesk.Ticket, files [][]byte) (ui.TicketEntry, error) {
	e, err := t.St.FileTicket(t.Account, tk, files...)
	if err != nil {
		return ui.TicketEntry{}, err
	}
	if t.Kick != nil {
		t.Kick()
	}
	return t.entry(e, t.staff()), nil
}

func (t *Tickets) Receipts() []ui.TicketReceipt {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := t.receipts
	t.receipts = nil
	return out
}

// SignedInRoles takes the ServiceDesk lines from the account the sign-in
// answered with, so that staff see their queue at once; each sync round
// then keeps them as the server says.
func (t *Tickets) SignedInRoles(roles []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.roles = nil
	for _, r := range roles {
		if api.ValidRole(r) {
			t.roles = append(t.roles, r)
		}
	}
}

func (t *Tickets) Roles() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.roles)
}

func (t *Tickets) Refresh() {
	if t.Kick != nil {
		t.Kick()
	}
}

func (t *Tickets) SyncState() (time.Time, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.syncErr != nil {
		return t.syncedAt, ticketError{t.syncErr}
	}
	return t.syncedAt, nil
}

// SyncRound is one ticket sync (client.SyncTickets): the outbox goes out
// under its frozen idempotency keys, so a ticket is registered once
// however often this runs; what it registered waits in Receipts.
func (t *Tickets) SyncRound(ctx context.Context) error {
	c := t.signedIn()
	if c == nil {
		return client.ErrSignedOut
	}
	rep, err := client.SyncTickets(ctx, c, t.St, t.Account)
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, rc := range rep.Receipts {
		r := ui.TicketReceipt{ID: rc.View.Ticket.ID, Number: rc.Number, RegisteredAt: rc.RegisteredAt, Level: rc.Level,
			Line: rc.Line, Deadline: rc.Deadline,
			FirstResponseMin: time.Duration(rc.FirstResponseMinMinutes) * time.Minute,
			FirstResponseMax: time.Duration(rc.FirstResponseMaxMinutes) * time.Minute}
		t.receipts = append(t.receipts, r)
	}
	if ctx.Err() != nil {
		return err // a lock or sign-out cut it short: not the server's fault
	}
	t.syncErr = err
	if err == nil {
		t.syncedAt = t.now()
		t.roles = nil
		if rep.Staff {
			t.roles = slices.Clone(rep.Roles)
		}
	}
	return err
}

// NoteFailure records a round that could not reach the server at all.
func (t *Tickets) NoteFailure(err error) {
	t.mu.Lock()
	t.syncErr = err
	t.mu.Unlock()
}

// Patch does one action on the server and keeps the server's copy.
func (t *Tickets) Patch(id string, p ui.TicketPatch) (ui.TicketEntry, error) {
	c := t.signedIn()
	if c == nil {
		return ui.TicketEntry{}, ticketError{client.ErrSignedOut}
	}
	ctx, cancel := context.WithTimeout(context.Background(), patchTimeout)
	defer cancel()
	v, err := c.PatchTicket(ctx, id, api.TicketPatch{Action: p.Action, Status: p.Status, Text: p.Text})
	if err != nil {
		var ae *client.APIError
		if errors.As(err, &ae) && (ae.Code == api.CodeTransition || ae.Code == api.CodeForbidden) && t.Kick != nil {
			t.Kick() // the copy here is behind the server's: fetch it
		}
		return ui.TicketEntry{}, ticketError{err}
	}
	if err := t.St.TicketRegistered(t.Account, v.Ticket); err != nil {
		return ui.TicketEntry{}, err
	}
	e, err := t.St.GetTicket(id)
	if err != nil {
		return ui.TicketEntry{}, err
	}
	return t.entry(e, t.staff()), nil
}

// SaveCalendar stores cal as the Operator's calendar on the server
// (Operator staff only: the server decides) and, once the server has it,
// in the cache, so that every clock here counts by it at once. A sync
// round is asked for too: one that fetched the old calendar while this
// was on its way would otherwise keep the old one until the next round.
func (t *Tickets) SaveCalendar(base, cal servicedesk.Calendar) error {
	c := t.signedIn()
	if c == nil {
		return calendarError{client.ErrSignedOut}
	}
	ctx, cancel := context.WithTimeout(context.Background(), patchTimeout)
	defer cancel()
	if err := c.PutCalendar(ctx, cal, base.Version()); err != nil {
		var ae *client.APIError
		if errors.As(err, &ae) && ae.Code == api.CodeConflict && t.Kick != nil {
			t.Kick() // fetch the newer calendar, to redo the change on it
		}
		return calendarError{err}
	}
	if err := t.St.SetTicketCalendar(cal); err != nil {
		return err
	}
	if t.Kick != nil {
		t.Kick()
	}
	return nil
}

// FileData is a supporting file: the outbox's copy while it waits to be
// uploaded (the server has none yet), else the server's.
func (t *Tickets) FileData(id string, a servicedesk.Attachment) ([]byte, error) {
	data, err := t.St.TicketFileData(id, a.SHA256)
	if errors.Is(err, cache.ErrNotFound) {
		data, err = t.download(id, a)
	}
	if err != nil {
		return nil, err
	}
	// Whatever the source, only the very file the ticket describes goes
	// to a viewer: a damaged copy or a swapped one stops here.
	if !a.Matches(data) {
		return nil, fileMismatch{name: a.Name}
	}
	return data, nil
}

func (t *Tickets) download(id string, a servicedesk.Attachment) ([]byte, error) {
	c := t.signedIn()
	if c == nil {
		return nil, ticketError{client.ErrSignedOut}
	}
	ctx, cancel := context.WithTimeout(context.Background(), fileTimeout)
	defer cancel()
	data, err := c.TicketFile(ctx, id, a.SHA256)
	if err != nil {
		return nil, fileError{name: a.Name, err: err}
	}
	return data, nil
}

// fileMismatch: the bytes are not the file the ticket lists (their size,
// SHA-256 or sniffed type differs). The name stays out of Error, which
// may be logged.
type fileMismatch struct{ name string }

func (e fileMismatch) Error() string {
	return "ticket file: the bytes do not match its size, SHA-256 or type"
}

func (e fileMismatch) Message(l i18n.Lang) string {
	return i18n.TL(l, "tkui.err.fileMismatch", "name", e.name)
}

// fileError words a failed download: the server's "not found" means the
// file has not been uploaded yet (the initiator's next sync sends it);
// the rest as any ticket action's failure.
type fileError struct {
	name string
	err  error
}

func (e fileError) Error() string { return e.err.Error() }
func (e fileError) Unwrap() error { return e.err }

func (e fileError) Message(l i18n.Lang) string {
	var ae *client.APIError
	if errors.As(e.err, &ae) && ae.Code == api.CodeNotFound {
		return i18n.TL(l, "tkui.err.fileMissing", "name", e.name)
	}
	return ticketError{e.err}.Message(l)
}

// calendarError words a calendar the server did not store: only the
// Operator's staff may change it, and a calendar with problems (which the
// client does not send) is worded problem by problem; the rest as any
// ticket action's failure.
type calendarError struct{ err error }

func (e calendarError) Error() string { return e.err.Error() }
func (e calendarError) Unwrap() error { return e.err }

func (e calendarError) Message(l i18n.Lang) string {
	var ae *client.APIError
	var ps servicedesk.Problems
	switch {
	case errors.As(e.err, &ae) && ae.Code == api.CodeForbidden:
		return i18n.TL(l, "tkui.cal.err.forbidden")
	case errors.As(e.err, &ae) && ae.Code == api.CodeConflict:
		return i18n.TL(l, "tkui.cal.err.changed")
	case errors.As(e.err, &ps):
		msgs := make([]string, len(ps))
		for i, p := range ps {
			msgs[i] = p.Message(l)
		}
		return strings.Join(msgs, " ")
	}
	return ticketError{e.err}.Message(l)
}

// ticketError words a server or network failure in the user's language.
type ticketError struct{ err error }

func (e ticketError) Error() string { return e.err.Error() }
func (e ticketError) Unwrap() error { return e.err }

func (e ticketError) Message(l i18n.Lang) string {
	var ae *client.APIError
	switch {
	case errors.Is(e.err, client.ErrSignedOut):
		return i18n.TL(l, "client.err.offline")
	case errors.As(e.err, &ae) && ae.Code == api.CodeTransition:
		return i18n.TL(l, "tkui.err.transition")
	case errors.As(e.err, &ae) && ae.Code == api.CodeForbidden:
		return i18n.TL(l, "tkui.err.forbidden")
	}
	return client.UserMessage(e.err, l)
}
