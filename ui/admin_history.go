package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kense/api"
	"kense/form"
	"kense/i18n"
)

// An account's full history (issue 8: every change, who, when, which
// application and row, grounds), oldest first, as the server's audit log
// keeps it, under the IIN and the IINs the account had before.

// showHistory opens the history of the account with IIN id; back is where
// the Back button goes.
func (s *adminScreen) showHistory(id string, back func()) {
	if back == nil {
		back = s.showQueue
	}
	s.mode, s.histIIN, s.back = adminModeHistory, id, back
	s.titleL.SetText(i18n.T("adminui.title.history"))
	backBtn := widget.NewButtonWithIcon(i18n.T("adminui.back"), theme.NavigateBackIcon(), back)
	head := widget.NewLabelWithStyle(i18n.T("adminui.history.of", "iin", id), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	acct := widget.NewLabel("")
	acct.Wrapping = fyne.TextWrapWord
	entries := container.NewVBox()
	s.setBody(container.NewVBox(container.NewHBox(backBtn), head, acct, widget.NewSeparator()), container.NewVScroll(entries))
	var h *api.AuditHistory
	var a *api.AdminAccount
	s.run(func(ctx context.Context) (err error) {
		if h, err = s.svc.History(ctx, id); err != nil {
			return err
		}
		a, _ = s.svc.Account(ctx, id) // the history stands without it
		return nil
	}, func(err error) {
		if err != nil {
			s.failed(err)
			return
		}
		if a != nil {
			acct.SetText(a.FullName + admSep + accountLine(a))
		}
		if len(h.Entries) == 0 {
			entries.Add(widget.NewLabel(i18n.T("adminui.history.empty")))
		}
		for _, e := range h.Entries {
			l := widget.NewLabel(historyText(e))
			l.Wrapping = fyne.TextWrapWord
			entries.Add(l)
			entries.Add(widget.NewSeparator())
		}
		entries.Refresh()
	})
}

// historyText is one entry: when, what, who; then the application and
// row, the grounds, the reason and each field changed.
func historyText(e api.AuditEntry) string {
	who := e.ActorName
	if who == "" {
		who = i18n.T("adminui.history.console")
	}
	lines := []string{strings.Join([]string{admTime(e.At), actionText(e), who}, admSep)}
	if e.Application != "" {
		ref := i18n.T("adminui.history.app", "sha", shortSHA(e.Application))
		if e.Row > 0 {
			ref += admSep + i18n.T("adminui.history.row", "n", e.Row)
		}
		lines = append(lines, ref)
	}
	if e.PreviousIIN != "" {
		lines = append(lines, i18n.T("adminui.history.previous", "iin", e.PreviousIIN))
	}
	if e.Grounds != "" {
		g := e.Grounds
		if x, ok := api.FindUNISGround(e.Grounds); ok {
			g = groundText(x)
		}
		lines = append(lines, i18n.T("adminui.history.grounds", "grounds", g))
	}
	if e.Reason != "" {
		lines = append(lines, i18n.T("adminui.history.reason", "reason", e.Reason))
	}
	for _, c := range e.Changes {
		if c.Old == "" && c.New == "" {
			lines = append(lines, i18n.T("adminui.history.changed", "field", c.Field))
			continue
		}
		lines = append(lines, i18n.T("adminui.history.change", "field", c.Field, "old", orDash(c.Old), "new", orDash(c.New)))
	}
	return strings.Join(lines, "\n")
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func shortSHA(s string) string {
	if len(s) > 16 {
		return s[:16] + "…"
	}
	return s
}

// auditActions are the actions with a text of their own; an operation of
// the form reads as the form's label.
var auditActions = []string{
	api.AuditUNISCreate, api.AuditUNISBlock, api.AuditRowRejected, api.AuditAccountCreated,
	api.AuditBlocked, api.AuditUnblocked, api.AuditCertRegistered, api.AuditPasswordReset,
	api.AuditPasswordChanged, api.AuditPasswordCompromised, api.AuditEDSYearBlock,
}

func actionText(e api.AuditEntry) string {
	for _, a := range auditActions {
		if a == e.Action {
			t := i18n.T("adminui.action." + a)
			if e.Operation > 0 {
				t += " (" + opLabel(e.Operation) + ")"
			}
			return t
		}
	}
	if e.Operation > 0 {
		return opLabel(e.Operation)
	}
	return e.Action
}

// groundText is a ground of UNIS rule 5: its code and the seed's wording,
// Kazakh or English as the user reads (both for Russian: the seed has no
// Russian text).
func groundText(g api.UNISGround) string {
	l := form.Label{KK: g.KK, EN: g.EN}
	switch i18n.Current() {
	case i18n.KK:
		l.EN = ""
	case i18n.EN:
		l.KK = ""
	}
	return g.Code + " — " + l.Bilingual()
}
