package ui

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kense/i18n"
	"kense/servicedesk"
)

// incidentLayout reads the incident's date and time as Kazakhstan writes
// them (01.02.2026 9:05 too), in the Operator's zone.
const incidentLayout = "2.1.2006 15:04"

// ticketFormState is what the form holds, kept across a language switch.
type ticketFormState struct {
	ID                      string
	Brief, Nature, Incident string
	Property, Reference     string
	Name, Phone, Email      string
	Type                    servicedesk.RequestType
	Level                   servicedesk.Level
	Attachments             []servicedesk.Attachment
	Files                   [][]byte
	Tried                   bool
}

// ticketForm files a failure or request (chapter 3, rule 7): brief
// description, nature, request type and the levels the appendix allows
// for it (rule 10's definition of the chosen one shown as help), incident
// time, property identifier, reference code, contact and supporting files.
type ticketForm struct {
	s  *ticketsScreen
	st ticketFormState

	brief, nature, incident, property, reference, name, phone, email *widget.Entry

	typeSel, levelSel   *widget.Select
	levelHelp, allotted *widget.Label
	errs                map[string]*widget.Label
	general             *widget.Label
	files               *fyne.Container
	attachErr           *widget.Label
	submit              *widget.Button
	content             fyne.CanvasObject
}

func newTicketForm(s *ticketsScreen, prefill *ticketFormState) *ticketForm {
	f := &ticketForm{s: s, errs: map[string]*widget.Label{}}
	if prefill != nil {
		f.st = *prefill
	} else {
		c := s.svc.Contact()
		// The id is made once per form: a second press, or a retried
		// sync, cannot register a second ticket.
		f.st = ticketFormState{ID: newTicketID(), Name: c.Name, Phone: c.Phone, Email: c.Email}
	}
	f.build()
	return f
}

func (f *ticketForm) entry(text string, multi bool, set func(string)) *widget.Entry {
	e := widget.NewEntry()
	if multi {
		e = widget.NewMultiLineEntry()
		e.Wrapping = fyne.TextWrapWord
		e.SetMinRowsVisible(5)
	}
	e.SetText(text)
	e.OnChanged = func(v string) {
		set(v)
		f.changed()
	}
	return e
}

func (f *ticketForm) errLabel(field string) *widget.Label {
	l := widget.NewLabel("")
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	l.Hide()
	f.errs[field] = l
	return l
}

// field is a caption, the input, and the field's problem under it.
func (f *ticketForm) field(captionKey string, in fyne.CanvasObject, fields ...string) fyne.CanvasObject {
	box := container.NewVBox(widget.NewLabelWithStyle(i18n.T(captionKey), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), in)
	for _, fl := range fields {
		box.Add(f.errLabel(fl))
	}
	return box
}

func (f *ticketForm) build() {
	st := &f.st
	f.brief = f.entry(st.Brief, false, func(v string) { st.Brief = v })
	f.nature = f.entry(st.Nature, true, func(v string) { st.Nature = v })
	f.incident = f.entry(st.Incident, false, func(v string) { st.Incident = v })
	f.incident.SetPlaceHolder(i18n.T("tkui.incident.placeholder"))
	f.property = f.entry(st.Property, false, func(v string) { st.Property = v })
	f.reference = f.entry(st.Reference, false, func(v string) { st.Reference = v })
	f.name = f.entry(st.Name, false, func(v string) { st.Name = v })
	f.phone = f.entry(st.Phone, false, func(v string) { st.Phone = v })
	f.email = f.entry(st.Email, false, func(v string) { st.Email = v })
	f.brief.SetPlaceHolder(i18n.T("tkui.brief.placeholder"))
	f.nature.SetPlaceHolder(i18n.T("tkui.nature.placeholder"))
	f.phone.SetPlaceHolder(i18n.T("tkui.phone.placeholder"))
	f.email.SetPlaceHolder(i18n.T("tkui.email.placeholder"))

	types := servicedesk.Types()
	opts := make([]string, len(types))
	for i, t := range types {
		opts[i] = tkTypeOption(t)
	}
	f.typeSel = widget.NewSelect(opts, nil)
	f.typeSel.PlaceHolder = i18n.T("tkui.type.pick")
	f.levelSel = widget.NewSelect(nil, nil)
	f.levelSel.PlaceHolder = i18n.T("tkui.level.pick")
	f.levelHelp = widget.NewLabel("")
	f.levelHelp.Wrapping = fyne.TextWrapWord
	f.allotted = widget.NewLabel("")
	f.allotted.Wrapping = fyne.TextWrapWord
	if st.Type != 0 {
		f.typeSel.SetSelected(tkTypeOption(st.Type))
	}
	f.updateLevels()
	f.typeSel.OnChanged = func(v string) {
		for i, o := range opts {
			if o == v {
				st.Type = types[i]
			}
		}
		f.updateLevels()
		f.changed()
	}
	f.levelSel.OnChanged = func(v string) {
		for _, l := range servicedesk.Levels {
			if tkLevel(l) == v {
				st.Level = l
			}
		}
		f.updateHelp()
		f.changed()
	}

	f.files = container.NewVBox()
	f.attachErr = widget.NewLabel("")
	f.attachErr.Importance = widget.DangerImportance
	f.attachErr.Wrapping = fyne.TextWrapWord
	f.attachErr.Hide()
	attach := widget.NewButtonWithIcon(i18n.T("tkui.attach"), theme.FileIcon(), f.chooseFile)
	f.showFiles()

	f.general = widget.NewLabel("")
	f.general.Importance = widget.DangerImportance
	f.general.Wrapping = fyne.TextWrapWord
	f.general.Hide()
	f.submit = widget.NewButtonWithIcon(i18n.T("tkui.submit"), theme.MailSendIcon(), f.doSubmit)
	f.submit.Importance = widget.HighImportance
	cancel := widget.NewButtonWithIcon(i18n.T("tkui.cancel"), theme.CancelIcon(), f.s.showList)

	contact := container.NewGridWithColumns(3,
		f.field("sd.field.contactName", f.name, "contact.name"),
		f.field("sd.field.phone", f.phone, "contact.phone"),
		f.field("sd.field.email", f.email, "contact.email"))
	contactErr := f.errLabel("contact")
	codes := container.NewGridWithColumns(3,
		f.field("sd.field.incidentAt", f.incident, "incidentAt"),
		f.field("sd.field.propertyId", f.property, "propertyId"),
		f.field("sd.field.referenceCode", f.reference, "referenceCode"))
	form := container.NewVBox(
		f.field("sd.field.type", f.typeSel, "type"),
		f.field("sd.field.level", f.levelSel, "level"),
		f.levelHelp, f.allotted,
		f.field("sd.field.brief", f.brief, "brief"),
		f.field("sd.field.nature", f.nature, "nature"),
		codes,
		widget.NewLabelWithStyle(i18n.T("sd.field.contact"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		contact, contactErr,
		f.field("sd.field.attachments", container.NewVBox(f.files, container.NewHBox(attach)), "attachments"),
		f.attachErr,
		f.general,
		container.NewHBox(f.submit, cancel),
	)
	f.content = container.NewVScroll(container.NewPadded(form))
	if st.Tried {
		f.validate()
	}
}

// updateLevels offers the levels the appendix allows for the chosen
// type: type 5 is urgent only, type 6 has no pressing.
func (f *ticketForm) updateLevels() {
	allowed := servicedesk.AllowedLevels(f.st.Type)
	opts := make([]string, len(allowed))
	for i, l := range allowed {
		opts[i] = tkLevel(l)
	}
	f.levelSel.Options = opts
	switch {
	case len(allowed) == 0:
		f.st.Level = ""
		f.levelSel.ClearSelected()
		f.levelSel.Disable()
	case slices.Contains(allowed, f.st.Level):
		f.levelSel.Enable()
		f.levelSel.SetSelected(tkLevel(f.st.Level))
	case len(allowed) == 1:
		f.levelSel.Enable()
		f.st.Level = allowed[0]
		f.levelSel.SetSelected(opts[0])
	default:
		f.st.Level = ""
		f.levelSel.Enable()
		f.levelSel.ClearSelected()
	}
	f.levelSel.Refresh()
	f.updateHelp()
}

// updateHelp shows rule 10's definition of the chosen level, the allotted
// working time and the first-response target.
func (f *ticketForm) updateHelp() {
	if !f.st.Level.Valid() {
		f.levelHelp.SetText(i18n.T("tkui.level.help"))
		f.allotted.SetText("")
		f.allotted.Hide()
		return
	}
	f.levelHelp.SetText(i18n.T(servicedesk.LevelHelpKey(f.st.Level)))
	d, err := servicedesk.Allotted(f.st.Type, f.st.Level)
	if err != nil {
		f.allotted.Hide()
		return
	}
	// Line 1 registers every request; the appendix's line solves it. Both
	// are said, so that "Line 1" on the confirmation surprises nobody.
	text := i18n.T("sd.allotted", "hours", int(d/time.Hour)) + tkSep +
		i18n.T("sd.lines", "first", tkLine(servicedesk.RegisteringLine), "line", tkLine(servicedesk.OperatorLine(f.st.Type)))
	if _, _, ok := servicedesk.FirstResponse(f.st.Type); ok {
		text += tkSep + i18n.T("sd.firstResponse")
	}
	f.allotted.SetText(text)
	f.allotted.Show()
}

func (f *ticketForm) changed() {
	if f.s.a.svc.Activity != nil {
		f.s.a.svc.Activity()
	}
	if f.st.Tried {
		f.validate()
	}
}

func (f *ticketForm) state() ticketFormState { return f.st }

// ticket builds the ticket and checks it as the server will
// (ValidateNew), with the form's own problems (a bad incident time, no
// type or level picked yet).
func (f *ticketForm) ticket() (servicedesk.Ticket, servicedesk.Problems) {
	st := f.st
	t := servicedesk.Ticket{
		ID: st.ID, Brief: strings.TrimSpace(st.Brief), Nature: strings.TrimSpace(st.Nature),
		PropertyID: strings.TrimSpace(st.Property), ReferenceCode: strings.TrimSpace(st.Reference),
		Contact: servicedesk.Contact{Name: strings.TrimSpace(st.Name), Phone: strings.TrimSpace(st.Phone), Email: strings.TrimSpace(st.Email)},
		Type:    st.Type, Level: st.Level,
		Attachments: append([]servicedesk.Attachment(nil), st.Attachments...),
	}
	var own servicedesk.Problems
	if s := strings.TrimSpace(st.Incident); s != "" {
		at, err := time.ParseInLocation(incidentLayout, s, servicedesk.Location)
		if err != nil {
			own = append(own, servicedesk.Problem{Field: "incidentAt", Key: "tkui.err.incident"})
		} else {
			t.IncidentAt = at
		}
	}
	if st.Type == 0 {
		own = append(own, servicedesk.Problem{Field: "type", Key: "tkui.err.pickType"})
	} else if !st.Level.Valid() {
		own = append(own, servicedesk.Problem{Field: "level", Key: "tkui.err.pickLevel"})
	}
	ps := t.ValidateNew(f.s.a.now())
	ps = slices.DeleteFunc(ps, func(p servicedesk.Problem) bool {
		return (p.Field == "type" && st.Type == 0) || (p.Field == "level" && !st.Level.Valid())
	})
	return t, append(own, ps...)
}

// validate shows each problem under its field; it reports whether there
// were none.
func (f *ticketForm) validate() bool {
	_, ps := f.ticket()
	msgs := map[string][]string{}
	var general []string
	l := i18n.Current()
	for _, p := range ps {
		field := p.Field
		if strings.HasPrefix(field, "attachments") {
			field = "attachments"
		}
		if _, ok := f.errs[field]; ok {
			msgs[field] = append(msgs[field], p.Message(l))
		} else {
			general = append(general, p.Message(l))
		}
	}
	for field, lbl := range f.errs {
		if m := msgs[field]; len(m) > 0 {
			lbl.SetText(strings.Join(m, " "))
			lbl.Show()
		} else {
			lbl.SetText("")
			lbl.Hide()
		}
	}
	if len(ps) > 0 {
		general = append([]string{i18n.T("tkui.problems")}, general...)
		f.general.SetText(strings.Join(general, " "))
		f.general.Show()
	} else {
		f.general.SetText("")
		f.general.Hide()
	}
	return len(ps) == 0
}

func (f *ticketForm) doSubmit() {
	f.st.Tried = true
	if !f.validate() {
		return
	}
	t, _ := f.ticket()
	f.submit.Disable()
	if _, err := f.s.svc.File(t, f.st.Files); err != nil {
		f.submit.Enable()
		f.s.a.showError(err)
		return
	}
	// The form is done with: its button stays disabled, so a second
	// press files nothing.
	f.s.showList()
	a := f.s.a
	a.filedNote = dialog.NewInformation(i18n.T("tkui.filed.title"), i18n.T("tkui.filed.body"), a.win)
	a.filedNote.Show()
}

// chooseFile picks a supporting file; its content decides whether it is
// a PNG, JPEG, PDF or TIFF scan (servicedesk.CheckAttachment).
func (f *ticketForm) chooseFile() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			f.s.a.showError(err)
			return
		}
		if r == nil {
			return
		}
		name := r.URI().Name()
		// A file past the limit is refused without reading all of it.
		data, err := io.ReadAll(io.LimitReader(r, servicedesk.MaxAttachmentSize+1))
		_ = r.Close()
		if err != nil {
			f.attachProblem(i18n.T("tkui.err.attachRead", "name", name, "error", f.s.a.message(err)))
			return
		}
		f.addFile(name, data)
	}, f.s.a.win)
	exts := []string{".png", ".jpg", ".jpeg", ".pdf", ".tif", ".tiff"}
	for _, e := range exts[:len(exts):len(exts)] {
		exts = append(exts, strings.ToUpper(e))
	}
	d.SetFilter(storage.NewExtensionFileFilter(exts))
	d.Resize(fileDialogSize)
	d.Show()
}

// addFile attaches a file after servicedesk.CheckAttachment (name, size,
// type by content) and the limits on count and total size; a refusal is
// shown under the files, in the user's language.
func (f *ticketForm) addFile(name string, data []byte) {
	if err := servicedesk.CheckAttachment(name, data); err != nil {
		f.attachProblem(tkProblem(err))
		return
	}
	a, _ := servicedesk.NewAttachment(name, data)
	var total int64
	for _, x := range f.st.Attachments {
		if x.SHA256 == a.SHA256 {
			f.attachProblem(i18n.T("tkui.err.attachedTwice", "name", x.Name))
			return
		}
		total += x.Size
	}
	switch {
	case len(f.st.Attachments) >= servicedesk.MaxAttachments:
		f.attachProblem(tkProblem(servicedesk.Problem{Key: "sd.err.tooMany", Args: []any{"max", servicedesk.MaxAttachments}}))
		return
	case total+a.Size > servicedesk.MaxAttachmentTotal:
		f.attachProblem(tkProblem(servicedesk.Problem{Key: "sd.err.attachmentTotal", Args: []any{"max", fmt.Sprintf("%d MiB", servicedesk.MaxAttachmentTotal>>20)}}))
		return
	}
	f.st.Attachments = append(f.st.Attachments, a)
	f.st.Files = append(f.st.Files, data)
	f.attachProblem("")
	f.showFiles()
	f.changed()
}

func tkProblem(err error) string {
	var p servicedesk.Problem
	if errors.As(err, &p) {
		return p.Message(i18n.Current())
	}
	return err.Error()
}

func (f *ticketForm) attachProblem(msg string) {
	f.attachErr.SetText(msg)
	if msg == "" {
		f.attachErr.Hide()
	} else {
		f.attachErr.Show()
	}
}

func (f *ticketForm) removeFile(i int) {
	if i >= len(f.st.Attachments) {
		return
	}
	f.st.Attachments = slices.Delete(f.st.Attachments, i, i+1)
	f.st.Files = slices.Delete(f.st.Files, i, i+1)
	f.showFiles()
	f.changed()
}

func (f *ticketForm) showFiles() {
	f.files.RemoveAll()
	if len(f.st.Attachments) == 0 {
		f.files.Add(widget.NewLabel(i18n.T("tkui.attach.none")))
		return
	}
	for i, a := range f.st.Attachments {
		i := i
		rm := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { f.removeFile(i) })
		kib := (a.Size + 1023) / 1024
		f.files.Add(container.NewBorder(nil, nil, nil, rm, widget.NewLabel(i18n.T("tkui.attach.item", "name", a.Name, "size", kib))))
	}
}
