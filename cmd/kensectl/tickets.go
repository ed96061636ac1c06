package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"kense/cache"
	"kense/client"
	"kense/i18n"
	"kense/servicedesk"
)

func init() {
	register("tickets", "file ServiceDesk tickets into the local outbox, list them with their SLA clock, sync them with kense-server", runTickets)
}

// ticketsNow is the clock of the tickets command; tests move it.
var ticketsNow = time.Now

// runTickets: kensectl tickets file|list|sync. The tickets live in the
// app's cache (the same outbox the app files into); the session token
// comes from -token or KENSE_TOKEN only, never from disk.
func runTickets(args []string, stdout, stderr io.Writer) int {
	lang := i18n.Current()
	usage := func() int { fmt.Fprintln(stderr, i18n.TL(lang, "tk.cli.usage")); return 2 }
	if len(args) == 0 {
		return usage()
	}
	verb := args[0]
	fs := flag.NewFlagSet("tickets "+verb, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	profile := fs.String("profile", "", "folder of the local cache (default: the app's)")
	serverURL := fs.String("server", "", "kense-server address")
	token := fs.String("token", "", "session token (default $KENSE_TOKEN)")
	asJSON := fs.Bool("json", false, "print JSON")
	var f ticketFlags
	switch verb {
	case "file":
		f.define(fs)
	case "list", "sync":
	default:
		return usage()
	}
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil || len(pos) > 0 || (verb == "sync" && *serverURL == "") {
		return usage()
	}
	cmd := "kensectl tickets " + verb
	var t servicedesk.Ticket
	var files [][]byte
	if verb == "file" {
		// Checked before the cache is opened: a typo costs nothing.
		if t, files, err = f.ticket(lang); err != nil {
			fmt.Fprintln(stderr, cmd+": "+err.Error())
			return 2
		}
	}
	st, ok := openProfile(*profile, stderr, cmd)
	if !ok {
		return 1
	}
	defer st.Close()
	switch verb {
	case "file":
		e, err := st.FileTicket("", t, files...)
		if err != nil {
			fmt.Fprintln(stderr, cmd+": "+cache.UserMessage(err, lang))
			return 1
		}
		fmt.Fprintln(stdout, e.Ticket.ID)
		fmt.Fprintln(stderr, i18n.TL(lang, "tk.cli.queued", "id", e.Ticket.ID))
		return 0
	case "sync":
		_, code := ticketsSync(st, *serverURL, *token, *asJSON, stdout, stderr, cmd)
		return code
	}
	account := ""
	if *serverURL != "" {
		var code int
		if account, code = ticketsSync(st, *serverURL, *token, false, io.Discard, stderr, cmd); code != 0 {
			return code
		}
	}
	return ticketsList(st, account, *asJSON, stdout, stderr, cmd)
}

type ticketFlags struct {
	typ                            int
	level, brief, nature, incident string
	property, reference            string
	name, phone, email             string
	attach                         multiFlag
}

func (f *ticketFlags) define(fs *flag.FlagSet) {
	fs.IntVar(&f.typ, "type", 0, "request type 1–7")
	fs.StringVar(&f.level, "level", "", "importance level")
	fs.StringVar(&f.brief, "brief", "", "brief description")
	fs.StringVar(&f.nature, "nature", "", "nature of the failure or request")
	fs.StringVar(&f.incident, "incident", "", "date and time of the incident, RFC 3339")
	fs.StringVar(&f.property, "property", "", "property identifier")
	fs.StringVar(&f.reference, "reference", "", "unique code of the reference")
	fs.StringVar(&f.name, "name", "", "contact: name")
	fs.StringVar(&f.phone, "phone", "", "contact: phone")
	fs.StringVar(&f.email, "email", "", "contact: e-mail")
	fs.Var(&f.attach, "attach", "supporting file (PNG, JPEG, PDF, TIFF); repeatable")
}

// ticket builds and checks the ticket (ValidateNew), worded in lang, and
// reads its supporting files.
func (f *ticketFlags) ticket(lang i18n.Lang) (servicedesk.Ticket, [][]byte, error) {
	lv, ok := servicedesk.ParseLevel(f.level)
	if !ok {
		lv = servicedesk.Level(f.level) // Validate words the problem
	}
	t := servicedesk.Ticket{
		ID: cache.NewID(), Brief: f.brief, Nature: f.nature, PropertyID: f.property, ReferenceCode: f.reference,
		Contact: servicedesk.Contact{Name: f.name, Phone: f.phone, Email: f.email},
		Type:    servicedesk.RequestType(f.typ), Level: lv,
	}
	if f.incident != "" {
		at, err := time.Parse(time.RFC3339, f.incident)
		if err != nil {
			return t, nil, fmt.Errorf("%s", i18n.TL(lang, "tk.cli.incident", "value", f.incident))
		}
		t.IncidentAt = at
	}
	var files [][]byte
	for _, path := range f.attach {
		if fi, err := os.Stat(path); err == nil && fi.Size() > servicedesk.MaxAttachmentSize {
			// NewAttachment words the problem; no need to read it all.
			_, err := servicedesk.NewAttachment(filepath.Base(path), make([]byte, servicedesk.MaxAttachmentSize+1))
			return t, nil, fmt.Errorf("%s", i18n.TL(lang, "tk.cli.attach", "file", path, "err", problemText(err, lang)))
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return t, nil, fmt.Errorf("%s", i18n.TL(lang, "tk.cli.attach", "file", path, "err", err.Error()))
		}
		a, err := servicedesk.NewAttachment(filepath.Base(path), data)
		if err != nil {
			return t, nil, fmt.Errorf("%s", i18n.TL(lang, "tk.cli.attach", "file", path, "err", problemText(err, lang)))
		}
		t.Attachments = append(t.Attachments, a)
		files = append(files, data)
	}
	if ps := t.ValidateNew(ticketsNow()); len(ps) > 0 {
		msgs := make([]string, len(ps))
		for i, p := range ps {
			msgs[i] = p.Field + ": " + p.Message(lang)
		}
		return t, nil, fmt.Errorf("%s", i18n.TL(lang, "tk.cli.invalid", "problems", strings.Join(msgs, "; ")))
	}
	return t, files, nil
}

func problemText(err error, lang i18n.Lang) string {
	if p, ok := err.(servicedesk.Problem); ok {
		return p.Message(lang)
	}
	return err.Error()
}

// ticketsSync sends the outbox and pulls the account's tickets and the
// calendar; it returns the account's IIN.
func ticketsSync(st *cache.Store, serverURL, token string, asJSON bool, stdout, stderr io.Writer, cmd string) (string, int) {
	lang := i18n.Current()
	if token == "" {
		token = os.Getenv("KENSE_TOKEN")
	}
	if token == "" {
		fmt.Fprintln(stderr, cmd+": "+i18n.TL(lang, "tk.cli.no_token"))
		return "", 2
	}
	fail := func(err error) (string, int) {
		fmt.Fprintln(stderr, cmd+": "+i18n.TL(lang, "tk.cli.sync_failed", "err", client.UserMessage(err, lang)))
		return "", 1
	}
	base, err := client.ParseServerURL(serverURL)
	if err != nil {
		return fail(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	c := client.New(base, client.Options{})
	c.SetToken(token)
	me, err := c.Me(ctx)
	if err != nil {
		return fail(err)
	}
	acct := me.Account.IIN
	rep, err := client.SyncTickets(ctx, c, st, acct)
	if err != nil {
		return fail(err)
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(rep)
		return acct, 0
	}
	for _, rc := range rep.Receipts {
		// Rule 9: the confirmation of registration.
		fmt.Fprintln(stdout, i18n.TL(lang, "tk.cli.registered", "number", rc.Number,
			"at", rc.RegisteredAt.In(servicedesk.Location).Format("2006-01-02 15:04"),
			"level", i18n.TL(lang, servicedesk.LevelKey(rc.Level)),
			"deadline", rc.Deadline.In(servicedesk.Location).Format("2006-01-02 15:04")))
		if rc.FirstResponseMaxMinutes > 0 {
			fmt.Fprintln(stdout, i18n.TL(lang, "tk.cli.first_response", "min", rc.FirstResponseMinMinutes, "max", rc.FirstResponseMaxMinutes))
		}
	}
	fmt.Fprintln(stdout, i18n.TL(lang, "tk.cli.synced", "filed", rep.Filed, "refused", rep.Refused, "pulled", rep.Pulled, "files", rep.Files))
	return acct, 0
}

// ticketRow is one line of `tickets list`.
type ticketRow struct {
	ID       string    `json:"id"`
	Number   string    `json:"number,omitempty"`
	State    string    `json:"state"`
	Status   string    `json:"status,omitempty"`
	Type     int       `json:"type"`
	Level    string    `json:"level"`
	Line     int       `json:"line,omitempty"`
	Deadline time.Time `json:"deadline,omitzero"`
	// LeftMinutes is working time left, negative when overdue.
	LeftMinutes *int64 `json:"leftMinutes,omitempty"`
	Light       string `json:"light,omitempty"`
	Brief       string `json:"brief"`
	Refusal     string `json:"refusal,omitempty"`
}

func ticketsList(st *cache.Store, account string, asJSON bool, stdout, stderr io.Writer, cmd string) int {
	lang := i18n.Current()
	es, err := st.Tickets(account)
	if err != nil {
		fmt.Fprintln(stderr, cmd+": "+cache.UserMessage(err, lang))
		return 1
	}
	now := ticketsNow()
	cal := client.TicketCalendarOr(st, now)
	rows := make([]ticketRow, len(es))
	left := make([]*time.Duration, len(es))
	for i, e := range es {
		t := e.Ticket
		rows[i] = ticketRow{ID: t.ID, Number: t.Number, State: e.State, Status: string(t.Status), Type: int(t.Type),
			Level: string(t.Level), Line: t.Line, Brief: t.Brief, Refusal: e.Refusal}
		if c, err := t.Clock(cal, now); err == nil {
			m := int64(c.Remaining / time.Minute)
			rows[i].Deadline, rows[i].LeftMinutes, rows[i].Light = c.Deadline, &m, c.Light.String()
			left[i] = &c.Remaining
		}
	}
	// By time left, least first; tickets without a clock (outbox,
	// refused) last, the oldest filed first.
	idx := make([]int, len(rows))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		la, lb := left[idx[a]], left[idx[b]]
		switch {
		case la != nil && lb != nil:
			return *la < *lb
		case (la == nil) != (lb == nil):
			return la != nil
		}
		return es[idx[a]].Filed.Before(es[idx[b]].Filed)
	})
	sorted := make([]ticketRow, len(rows))
	for i, j := range idx {
		sorted[i] = rows[j]
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(sorted)
		return 0
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, i18n.TL(lang, "tk.cli.header"))
	for _, r := range sorted {
		number, status, deadline, leftS := r.Number, "", "", ""
		switch r.State {
		case cache.TicketOutbox:
			number, status = r.ID, i18n.TL(lang, "tk.state.outbox")
		case cache.TicketRefused:
			number, status = r.ID, i18n.TL(lang, "tk.state.refused", "reason", r.Refusal)
		default:
			status = i18n.TL(lang, servicedesk.Status(r.Status).Key())
		}
		if r.LeftMinutes != nil {
			deadline = r.Deadline.In(servicedesk.Location).Format("2006-01-02 15:04")
			leftS = formatLeft(*r.LeftMinutes, lang) + " (" + i18n.TL(lang, "sd.light."+r.Light) + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d/%s\t%s\t%s\t%s\n", number, status, r.Type, i18n.TL(lang, servicedesk.LevelKey(servicedesk.Level(r.Level))), deadline, leftS, r.Brief)
	}
	tw.Flush()
	return 0
}

func formatLeft(min int64, lang i18n.Lang) string {
	if min < 0 {
		return i18n.TL(lang, "tk.cli.overdue", "h", -min/60, "m", -min%60)
	}
	return i18n.TL(lang, "tk.cli.left", "h", min/60, "m", min%60)
}
