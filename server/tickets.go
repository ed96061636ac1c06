package server

import (
	"bytes"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"kense/api"
	"kense/i18n"
	"kense/servicedesk"
)

// ServiceDesk handlers (issue 6). Initiators file tickets and see their
// own; Operator staff (accounts with line roles) see the queue and work
// it. Registration — number, time, line 1 — happens in one store
// transaction with the idempotency check, so a double or retried submit
// registers one ticket.

func (s *Server) ticketRoutes() []route {
	return []route{
		{"POST " + api.PathTickets, s.handleTicketFile},
		{"GET " + api.PathTickets, s.handleTicketList},
		{"GET " + api.PathTicket + "{id}", s.handleTicketGet},
		{"PATCH " + api.PathTicket + "{id}", s.handleTicketPatch},
		{"PUT " + api.PathTicket + "{id}/files/{sha}", s.handleTicketFilePut},
		{"GET " + api.PathTicket + "{id}/files/{sha}", s.handleTicketFileGet},
		{"GET " + api.PathCalendar, s.handleCalendarGet},
		{"PUT " + api.PathCalendar, s.handleCalendarPut},
	}
}

// DecodeTicket reads a filed ticket strictly (servicedesk.ReadTicket: no
// unknown fields, nothing after it) within api.MaxTicketBody.
func DecodeTicket(data []byte) (*servicedesk.Ticket, error) {
	if len(data) > api.MaxTicketBody {
		return nil, errTicketTooLarge
	}
	return servicedesk.ReadTicket(bytes.NewReader(data))
}

// DecodeTicketPatch reads a PATCH body strictly.
func DecodeTicketPatch(data []byte) (*api.TicketPatch, error) {
	if len(data) > api.MaxTicketBody {
		return nil, errTicketTooLarge
	}
	var p api.TicketPatch
	if err := decodeStrictAny(data, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

var errTicketTooLarge = errors.New("request body too large")

// ticketStore is the Store's TicketStore, or a 501 answer.
func (s *Server) ticketStore(w http.ResponseWriter) (TicketStore, bool) {
	ts, ok := s.cfg.Store.(TicketStore)
	if !ok {
		s.writeError(w, http.StatusNotImplemented, api.CodeInternal, "this server's store keeps no tickets")
	}
	return ts, ok
}

// isStaff: the account holds an Operator line role.
func isStaff(a *Account) bool {
	return slices.ContainsFunc(a.Roles, api.ValidRole)
}

// onLine: the account works tickets on line n.
func onLine(a *Account, n int) bool {
	return n >= 1 && n <= servicedesk.MaxLine && slices.Contains(a.Roles, api.Roles[n-1])
}

// actorName is how the account signs history entries and comments.
func actorName(a *Account) string {
	if n := strings.TrimSpace(a.FullName); n != "" {
		return n
	}
	return a.IIN
}

// Calendar is the Operator's calendar: the stored one, or Kazakhstan's
// fixed holidays for now's year and the next.
func (s *Server) Calendar() (servicedesk.Calendar, error) {
	ts, _ := s.cfg.Store.(TicketStore)
	return CalendarIn(ts, s.now())
}

// CalendarIn is the calendar in force in ts (nil: none stored): the one
// the Operator stored, else Kazakhstan's fixed holidays for now's year and
// the next. The server's answers and `kense-server calendar get` agree.
func CalendarIn(ts TicketStore, now time.Time) (servicedesk.Calendar, error) {
	if ts != nil {
		cal, ok, err := ts.OperatorCalendar()
		if err != nil || ok {
			return cal, err
		}
	}
	y := now.In(servicedesk.Location).Year()
	return servicedesk.DefaultCalendar(y, y+1), nil
}

func (s *Server) view(cal servicedesk.Calendar, t *servicedesk.Ticket, now time.Time) api.TicketView {
	v := api.TicketView{Ticket: *t}
	if c, err := t.Clock(cal, now); err == nil {
		v.Clock = &api.TicketClock{
			AllottedMinutes:  int64(c.Allotted / time.Minute),
			RemainingMinutes: int64(c.Remaining / time.Minute),
			Deadline:         c.Deadline,
			AnalysisDue:      c.AnalysisDue,
			Light:            c.Light.String(),
			Paused:           c.Paused,
		}
	}
	return v
}

func (s *Server) writeProblems(w http.ResponseWriter, status int, code string, err error) {
	var ps servicedesk.Problems
	var p servicedesk.Problem
	switch {
	case errors.As(err, &ps):
	case errors.As(err, &p):
		ps = servicedesk.Problems{p}
	}
	body := api.TicketError{Code: code, Message: err.Error()}
	for _, p := range ps {
		body.Problems = append(body.Problems, api.TicketProblem{Field: p.Field, Key: p.Key})
		if len(body.Problems) == 50 {
			break
		}
	}
	// English: the client words problems by key in its own language.
	if len(ps) > 0 {
		msgs := make([]string, 0, len(ps))
		for _, p := range ps {
			msgs = append(msgs, p.Field+": "+p.Message(i18n.EN))
		}
		body.Message = strings.Join(msgs, "; ")
	}
	writeJSON(w, status, body)
}

func (s *Server) handleTicketFile(w http.ResponseWriter, r *http.Request) {
	_, _, acct, ok := s.session(w, r)
	if !ok {
		return
	}
	ts, ok := s.ticketStore(w)
	if !ok {
		return
	}
	key := r.Header.Get("Idempotency-Key")
	if len(key) > api.MaxKeyLen || !ValidDraftID(key) && key != "" {
		s.writeError(w, http.StatusBadRequest, api.CodeBadRequest, "Idempotency-Key: letters, digits, - and _, at most 64")
		return
	}
	data, err := readBody(r, api.MaxTicketBody)
	if err != nil {
		s.writeDecodeError(w, err)
		return
	}
	t, err := DecodeTicket(data)
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, errTicketTooLarge) {
			status = http.StatusRequestEntityTooLarge
		}
		s.writeError(w, status, api.CodeBadRequest, err.Error())
		return
	}
	now := s.now()
	if ps := t.ValidateNew(now); len(ps) > 0 {
		s.writeProblems(w, http.StatusUnprocessableEntity, api.CodeInvalidTicket, ps)
		return
	}
	rec, replayed, err := ts.FileTicket(acct.IIN, key, t, now)
	switch {
	case errors.Is(err, ErrTicketIDTaken):
		s.writeError(w, http.StatusConflict, api.CodeConflict, err.Error())
		return
	case errors.Is(err, ErrTicketKeyReused):
		s.writeError(w, http.StatusConflict, api.CodeIdempotencyReused, err.Error())
		return
	case err != nil:
		s.log.Error("tickets file", "err", err)
		s.writeError(w, http.StatusInternalServerError, api.CodeInternal, "storage error")
		return
	}
	cal, err := s.Calendar()
	if err != nil {
		s.log.Error("calendar", "err", err)
		s.writeError(w, http.StatusInternalServerError, api.CodeInternal, "storage error")
		return
	}
	tk := &rec.Ticket
	v := s.view(cal, tk, now)
	rc := api.TicketReceipt{
		Number: tk.Number, RegisteredAt: tk.OpenedAt, Level: tk.Level, Line: tk.Line,
		Replayed: replayed, View: v,
	}
	if v.Clock != nil {
		rc.Deadline = v.Clock.Deadline
	}
	if lo, hi, ok := servicedesk.FirstResponse(tk.Type); ok {
		rc.FirstResponseMinMinutes, rc.FirstResponseMaxMinutes = int64(lo/time.Minute), int64(hi/time.Minute)
	}
	s.log.Info("ticket filed", "iin", acct.IIN, "number", tk.Number, "replayed", replayed)
	status := http.StatusCreated
	if replayed {
		status = http.StatusOK
	}
	writeJSON(w, status, rc)
}

func (s *Server) handleTicketList(w http.ResponseWriter, r *http.Request) {
	_, _, acct, ok := s.session(w, r)
	if !ok {
		return
	}
	ts, ok := s.ticketStore(w)
	if !ok {
		return
	}
	staff := isStaff(acct)
	recs, err := ts.TicketRecs(func(r *TicketRecord) bool { return staff || r.Owner == acct.IIN })
	if err != nil {
		s.log.Error("tickets list", "err", err)
		s.writeError(w, http.StatusInternalServerError, api.CodeInternal, "storage error")
		return
	}
	cal, err := s.Calendar()
	if err != nil {
		s.writeError(w, http.StatusInternalServerError, api.CodeInternal, "storage error")
		return
	}
	now := s.now()
	tks := make([]*servicedesk.Ticket, len(recs))
	for i, r := range recs {
		tks[i] = &r.Ticket
	}
	servicedesk.SortByTimeLeft(cal, tks, now)
	out := api.TicketList{Tickets: make([]api.TicketView, 0, len(tks)), Staff: staff}
	if staff {
		out.Roles = acct.Roles
	}
	for _, t := range tks {
		out.Tickets = append(out.Tickets, s.view(cal, t, now))
	}
	writeJSON(w, http.StatusOK, out)
}

// readable: the initiator and Operator staff read a ticket; anyone else
// gets not_found, so ids of others' tickets reveal nothing.
func (s *Server) readableTicket(w http.ResponseWriter, r *http.Request) (*Account, TicketStore, *TicketRecord, bool) {
	_, _, acct, ok := s.session(w, r)
	if !ok {
		return nil, nil, nil, false
	}
	ts, ok := s.ticketStore(w)
	if !ok {
		return nil, nil, nil, false
	}
	id := r.PathValue("id")
	rec, err := ts.TicketRec(id)
	if err == nil && rec.Owner != acct.IIN && !isStaff(acct) {
		err = ErrNotFound
	}
	if err != nil {
		if !errors.Is(err, ErrNotFound) {
			s.log.Error("ticket", "err", err)
			s.writeError(w, http.StatusInternalServerError, api.CodeInternal, "storage error")
		} else {
			s.writeError(w, http.StatusNotFound, api.CodeNotFound, "no such ticket")
		}
		return nil, nil, nil, false
	}
	return acct, ts, rec, true
}

func (s *Server) handleTicketGet(w http.ResponseWriter, r *http.Request) {
	_, _, rec, ok := s.readableTicket(w, r)
	if !ok {
		return
	}
	cal, err := s.Calendar()
	if err != nil {
		s.writeError(w, http.StatusInternalServerError, api.CodeInternal, "storage error")
		return
	}
	writeJSON(w, http.StatusOK, s.view(cal, &rec.Ticket, s.now()))
}

// errForbiddenAction is a ticket action the account may not take.
var errForbiddenAction = errors.New("this account may not do that to this ticket")

// ApplyTicketPatch applies p by acct to rec at now: the access rules and
// the state machine, in one place for the handler's transaction.
func ApplyTicketPatch(rec *TicketRecord, acct *Account, p *api.TicketPatch, now time.Time) error {
	t := &rec.Ticket
	owner := rec.Owner == acct.IIN
	name := actorName(acct)
	now = now.In(servicedesk.Location).Truncate(time.Second)
	if last := t.History; len(last) > 0 && now.Before(last[len(last)-1].At) {
		now = last[len(last)-1].At // a server clock stepped back must not break the history
	}
	switch p.Action {
	case api.ActionTake, api.ActionStatus, api.ActionEscalate:
		if !onLine(acct, t.Line) {
			return errForbiddenAction
		}
	case api.ActionComment:
		if !owner && !isStaff(acct) {
			return errForbiddenAction
		}
	case api.ActionAnswer:
		if !owner {
			return errForbiddenAction
		}
	default:
		return servicedesk.Problem{Field: "action", Key: "tk.err.action"}
	}
	switch p.Action {
	case api.ActionTake:
		if t.Status != servicedesk.StatusRegistered {
			return servicedesk.Problem{Field: "status", Key: "sd.err.transition", Args: []any{"from", t.Status, "to", servicedesk.StatusInAnalysis}}
		}
		return t.Move(servicedesk.StatusInAnalysis, now, name, p.Text)
	case api.ActionStatus:
		if !p.Status.Valid() {
			return servicedesk.Problem{Field: "status", Key: "tk.err.status"}
		}
		return t.Move(p.Status, now, name, p.Text)
	case api.ActionEscalate:
		return t.Escalate(now, name, p.Text)
	case api.ActionComment:
		return t.Comment(now, name, p.Text)
	default: // answer
		if err := t.Resume(now, name, ""); err != nil {
			return err
		}
		if strings.TrimSpace(p.Text) != "" {
			return t.Comment(now, name, p.Text)
		}
		return nil
	}
}

func (s *Server) handleTicketPatch(w http.ResponseWriter, r *http.Request) {
	acct, ts, rec, ok := s.readableTicket(w, r)
	if !ok {
		return
	}
	data, err := readBody(r, api.MaxTicketBody)
	if err != nil {
		s.writeDecodeError(w, err)
		return
	}
	p, err := DecodeTicketPatch(data)
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, errTicketTooLarge) {
			status = http.StatusRequestEntityTooLarge
		}
		s.writeError(w, status, api.CodeBadRequest, err.Error())
		return
	}
	now := s.now()
	rec, err = ts.UpdateTicket(rec.Ticket.ID, func(cur *TicketRecord) error {
		return ApplyTicketPatch(cur, acct, p, now)
	})
	if err != nil {
		var pr servicedesk.Problem
		switch {
		case errors.Is(err, errForbiddenAction):
			s.writeError(w, http.StatusForbidden, api.CodeForbidden, err.Error())
		case errors.As(err, &pr) && (pr.Key == "sd.err.transition" || pr.Key == "sd.err.escalate" || pr.Key == "sd.err.notRegistered"):
			s.writeProblems(w, http.StatusConflict, api.CodeTransition, err)
		case errors.As(err, &pr):
			s.writeProblems(w, http.StatusBadRequest, api.CodeBadRequest, err)
		default:
			s.log.Error("ticket update", "err", err)
			s.writeError(w, http.StatusInternalServerError, api.CodeInternal, "storage error")
		}
		return
	}
	s.log.Info("ticket changed", "iin", acct.IIN, "number", rec.Ticket.Number, "action", p.Action)
	cal, err := s.Calendar()
	if err != nil {
		s.writeError(w, http.StatusInternalServerError, api.CodeInternal, "storage error")
		return
	}
	writeJSON(w, http.StatusOK, s.view(cal, &rec.Ticket, now))
}

func (s *Server) handleCalendarGet(w http.ResponseWriter, r *http.Request) {
	if _, _, _, ok := s.session(w, r); !ok {
		return
	}
	cal, err := s.Calendar()
	if err != nil {
		s.log.Error("calendar", "err", err)
		s.writeError(w, http.StatusInternalServerError, api.CodeInternal, "storage error")
		return
	}
	w.Header().Set("ETag", `"`+cal.Version()+`"`)
	writeJSON(w, http.StatusOK, cal)
}

func (s *Server) handleCalendarPut(w http.ResponseWriter, r *http.Request) {
	_, _, acct, ok := s.session(w, r)
	if !ok {
		return
	}
	if !isStaff(acct) {
		s.writeError(w, http.StatusForbidden, api.CodeForbidden, "only the Operator's staff edit the calendar")
		return
	}
	ts, ok := s.ticketStore(w)
	if !ok {
		return
	}
	data, err := readBody(r, servicedesk.MaxCalendarJSON)
	if err != nil {
		s.writeDecodeError(w, err)
		return
	}
	cal, err := DecodeCalendar(data)
	if err != nil {
		s.writeProblems(w, http.StatusBadRequest, api.CodeBadRequest, err)
		return
	}
	// If-Match names the version the editor started from: a save over a
	// calendar someone changed since is refused, not silently lost.
	s.calMu.Lock()
	defer s.calMu.Unlock()
	if m := r.Header.Get("If-Match"); m != "" {
		cur, err := CalendarIn(ts, s.now())
		if err != nil {
			s.log.Error("calendar", "err", err)
			s.writeError(w, http.StatusInternalServerError, api.CodeInternal, "storage error")
			return
		}
		// The same calendar again is no conflict: a retried PUT whose first
		// answer was lost finds its own save.
		if v := cur.Version(); strings.Trim(m, `"`) != v && cal.Version() != v {
			s.writeError(w, http.StatusPreconditionFailed, api.CodeConflict,
				"the calendar changed since it was read: read it again and redo the change")
			return
		}
	}
	if err := ts.PutOperatorCalendar(cal); err != nil {
		s.log.Error("calendar", "err", err)
		s.writeError(w, http.StatusInternalServerError, api.CodeInternal, "storage error")
		return
	}
	s.log.Info("calendar stored", "iin", acct.IIN, "holidays", len(cal.Holidays))
	w.Header().Set("ETag", `"`+cal.Version()+`"`)
	writeJSON(w, http.StatusOK, cal)
}

// DecodeCalendar reads a PUT /v1/calendar body: servicedesk.ReadCalendar
// (strict, size-limited, validated).
func DecodeCalendar(data []byte) (servicedesk.Calendar, error) {
	return servicedesk.ReadCalendar(bytes.NewReader(data))
}
