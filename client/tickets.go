package client

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"kense/api"
	"kense/cache"
	"kense/servicedesk"
)

// ServiceDesk tickets (issue 6): the API calls and the sync of the
// cache's ticket outbox.

// FileTicket files t under the idempotency key (the cache's, frozen when
// the ticket was filed): a repeat — resty's own retries included, which
// the key allows — returns the ticket first registered, Replayed set.
func (c *Client) FileTicket(ctx context.Context, t *servicedesk.Ticket, key string) (*api.TicketReceipt, error) {
	var rc api.TicketReceipt
	r := c.R(ctx).SetBody(t).SetResult(&rc)
	if key != "" {
		r.SetHeader(IdempotencyKeyHeader, key)
	}
	if _, err := r.Post(api.PathTickets); err != nil {
		return nil, err
	}
	return &rc, nil
}

// Tickets lists the account's tickets, or the queue for Operator staff.
func (c *Client) Tickets(ctx context.Context) (*api.TicketList, error) {
	var l api.TicketList
	if _, err := c.R(ctx).SetResult(&l).Get(api.PathTickets); err != nil {
		return nil, err
	}
	return &l, nil
}

// Ticket reads one ticket with its clock.
func (c *Client) Ticket(ctx context.Context, id string) (*api.TicketView, error) {
	var v api.TicketView
	if _, err := c.R(ctx).SetResult(&v).Get(api.PathTicket + url.PathEscape(id)); err != nil {
		return nil, err
	}
	return &v, nil
}

// PatchTicket takes, moves, escalates, comments on or answers a ticket.
// Not retried: a repeated comment would be a second comment.
func (c *Client) PatchTicket(ctx context.Context, id string, p api.TicketPatch) (*api.TicketView, error) {
	var v api.TicketView
	if _, err := c.R(ctx).SetBody(p).SetResult(&v).Patch(api.PathTicket + url.PathEscape(id)); err != nil {
		return nil, err
	}
	return &v, nil
}

// UploadTicketFile sends the bytes of a supporting file the ticket lists.
// Idempotent (PUT), so retried.
func (c *Client) UploadTicketFile(ctx context.Context, id, sha string, data []byte) error {
	_, err := c.R(ctx).SetHeader("Content-Type", "application/octet-stream").SetBody(data).
		Put(api.PathTicket + url.PathEscape(id) + "/files/" + url.PathEscape(sha))
	return err
}

// TicketFile downloads a supporting file. No file is larger than
// servicedesk.MaxAttachmentSize: a longer answer is cut off, not read.
func (c *Client) TicketFile(ctx context.Context, id, sha string) ([]byte, error) {
	resp, err := c.R(ctx).SetHeader("Accept", "*/*").SetResponseBodyLimit(servicedesk.MaxAttachmentSize).Get(api.PathTicket + url.PathEscape(id) + "/files/" + url.PathEscape(sha))
	if err != nil {
		return nil, err
	}
	return resp.Body(), nil
}

// Calendar reads the Operator's calendar.
func (c *Client) Calendar(ctx context.Context) (servicedesk.Calendar, error) {
	var cal servicedesk.Calendar
	if _, err := c.R(ctx).SetResult(&cal).Get(api.PathCalendar); err != nil {
		return servicedesk.Calendar{}, err
	}
	if err := cal.Validate().Err(); err != nil {
		return servicedesk.Calendar{}, &APIError{Status: http.StatusOK, Code: CodeBadResponse, Message: err.Error()}
	}
	return cal, nil
}

// PutCalendar stores the Operator's calendar (Operator staff only). A
// calendar that fails Validate is not sent: its servicedesk.Problems come
// back instead. basedOn is the Version of the calendar the change was made
// to ("": no check): when the server's has changed since, it refuses with
// 412 and api.CodeConflict, and nothing is stored. The server's refusals
// (403 for anyone but staff) are *APIError as for every call. Idempotent
// (PUT), so retried.
func (c *Client) PutCalendar(ctx context.Context, cal servicedesk.Calendar, basedOn string) error {
	if err := cal.Validate().Err(); err != nil {
		return err
	}
	r := c.R(ctx).SetBody(cal)
	if basedOn != "" {
		r.SetHeader("If-Match", `"`+basedOn+`"`)
	}
	_, err := r.Put(api.PathCalendar)
	return err
}

// TicketSyncReport counts what a ticket sync did.
type TicketSyncReport struct {
	Filed    int `json:"filed"`    // outbox tickets registered now
	Replayed int `json:"replayed"` // of them, registered by an earlier send
	Refused  int `json:"refused"`  // outbox tickets the server refused
	Pulled   int `json:"pulled"`   // tickets read from the server
	// Receipts are the confirmations of the tickets registered now.
	Receipts []api.TicketReceipt `json:"receipts,omitempty"`
	Staff    bool                `json:"staff,omitempty"`
	// Roles are the staff account's lines (line1…line3), as the list said.
	Roles []string `json:"roles,omitempty"`
	// Files uploaded now; FilesRefused the server would not take (they
	// are not the files the ticket describes) and are dropped.
	Files        int `json:"files,omitempty"`
	FilesRefused int `json:"filesRefused,omitempty"`
}

// SyncTickets sends account's outbox tickets (and those filed before any
// sign-in), then stores the server's copies of the account's tickets (the
// queue, for staff) and the Operator's calendar. Offline or a server
// error stops it with nothing lost: the outbox keeps what was not
// registered, under the same keys.
func SyncTickets(ctx context.Context, c *Client, st *cache.Store, account string) (TicketSyncReport, error) {
	var rep TicketSyncReport
	out, err := st.TicketOutboxFor(account)
	if err != nil {
		return rep, err
	}
	for _, e := range out {
		rc, err := c.FileTicket(ctx, &e.Ticket, e.Key)
		var ae *APIError
		switch {
		case err == nil:
		case errors.As(err, &ae) && refusal(ae):
			if err := st.TicketRefusedBy(e.Ticket.ID, ae.Code+": "+ae.Message); err != nil {
				return rep, err
			}
			rep.Refused++
			continue
		default:
			return rep, err
		}
		if err := st.TicketRegistered(account, rc.View.Ticket); err != nil {
			return rep, err
		}
		rep.Filed++
		if rc.Replayed {
			rep.Replayed++
		}
		rep.Receipts = append(rep.Receipts, *rc)
	}
	if err := uploadFiles(ctx, c, st, account, &rep); err != nil {
		return rep, err
	}
	l, err := c.Tickets(ctx)
	if err != nil {
		return rep, err
	}
	rep.Staff, rep.Roles = l.Staff, l.Roles
	for _, v := range l.Tickets {
		if err := st.TicketRegistered(account, v.Ticket); err != nil {
			return rep, err
		}
		rep.Pulled++
	}
	cal, err := c.Calendar(ctx)
	if err != nil {
		return rep, err
	}
	return rep, st.SetTicketCalendar(cal)
}

// refusal: the server read the ticket and will never take it as it is
// (not a session, rate or server trouble, which a later sync may clear).
func refusal(ae *APIError) bool {
	switch ae.Status {
	case http.StatusBadRequest, http.StatusConflict, http.StatusUnprocessableEntity, http.StatusRequestEntityTooLarge:
		return true
	}
	return false
}

// TicketCalendarOr is the cached calendar, or Kazakhstan's fixed
// holidays for now's year and the next before the first sync.
func TicketCalendarOr(st *cache.Store, now time.Time) servicedesk.Calendar {
	if cal, ok, err := st.TicketCalendar(); err == nil && ok {
		return cal
	}
	y := now.In(servicedesk.Location).Year()
	return servicedesk.DefaultCalendar(y, y+1)
}

// uploadFiles sends the supporting files of account's registered tickets
// that wait in the cache; each leaves the cache once the server has it.
func uploadFiles(ctx context.Context, c *Client, st *cache.Store, account string, rep *TicketSyncReport) error {
	es, err := st.Tickets(account)
	if err != nil {
		return err
	}
	for _, e := range es {
		if e.State != cache.TicketRegistered {
			continue
		}
		for _, sha := range e.PendingFiles {
			data, err := st.TicketFileData(e.Ticket.ID, sha)
			if err == nil {
				err = c.UploadTicketFile(ctx, e.Ticket.ID, sha, data)
			}
			var ae *APIError
			switch {
			case err == nil:
				rep.Files++
			case errors.Is(err, cache.ErrNotFound):
				// the bytes are gone: nothing to send
			case errors.As(err, &ae) && (refusal(ae) || ae.Status == http.StatusNotFound):
				rep.FilesRefused++
			default:
				return err
			}
			if err := st.TicketFileDone(e.Ticket.ID, sha); err != nil {
				return err
			}
		}
	}
	return nil
}
