package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kense/api"
	"kense/i18n"
	"kense/iin"
)

// The territorial notarial chamber's UNIS accounts (issue 8; UNIS rules
// 4–6): create an account on the user's application, block one on a
// ground of UNIS rule 5 (the server's list) with the application and its
// supporting documents named. Both are recorded in the account's history.

type unisView struct {
	s *adminScreen

	iin, name, app              *widget.Entry // create
	biin, bapp, bnote           *widget.Entry // block
	grounds                     *widget.Select
	groundList                  []api.UNISGround
	create, block               *widget.Button
	pendingGround               string // to select once the grounds arrive
	createProblem, blockProblem *widget.Label
}

// unisState is what was typed, kept over a language switch.
type unisState struct {
	iin, name, app, biin, bapp, bnote, ground string
}

func (v *unisView) state() unisState {
	st := unisState{iin: v.iin.Text, name: v.name.Text, app: v.app.Text, biin: v.biin.Text, bapp: v.bapp.Text, bnote: v.bnote.Text}
	if i := v.grounds.SelectedIndex(); i >= 0 && i < len(v.groundList) {
		st.ground = v.groundList[i].Code
	}
	return st
}

func (v *unisView) restore(st unisState) {
	v.iin.SetText(st.iin)
	v.name.SetText(st.name)
	v.app.SetText(st.app)
	v.biin.SetText(st.biin)
	v.bapp.SetText(st.bapp)
	v.bnote.SetText(st.bnote)
	v.pendingGround = st.ground
	v.selectGround()
}

func (s *adminScreen) showUNIS() {
	s.mode = adminModeUNIS
	s.titleL.SetText(i18n.T("adminui.title.unis"))
	v := &unisView{s: s}
	s.unis = v
	entry := func(ph string) *widget.Entry {
		e := widget.NewEntry()
		e.SetPlaceHolder(i18n.T(ph))
		return e
	}
	v.iin, v.name, v.app = entry("adminui.unis.iin"), entry("adminui.unis.name"), entry("adminui.unis.app")
	v.biin, v.bapp, v.bnote = entry("adminui.unis.iin"), entry("adminui.unis.blockapp"), entry("adminui.unis.note")
	v.grounds = widget.NewSelect(nil, func(string) { v.check() })
	v.grounds.PlaceHolder = i18n.T("adminui.unis.grounds")
	v.createProblem, v.blockProblem = widget.NewLabel(""), widget.NewLabel("")
	for _, l := range []*widget.Label{v.createProblem, v.blockProblem} {
		l.Importance = widget.DangerImportance
		l.Wrapping = fyne.TextWrapWord
	}
	v.create = widget.NewButtonWithIcon(i18n.T("adminui.unis.create"), theme.ContentAddIcon(), v.askCreate)
	v.create.Importance = widget.HighImportance
	v.block = widget.NewButtonWithIcon(i18n.T("adminui.unis.block"), theme.CancelIcon(), v.askBlock)
	v.block.Importance = widget.DangerImportance
	for _, e := range []*widget.Entry{v.iin, v.name, v.app, v.biin, v.bapp} {
		e.OnChanged = func(string) { v.check() }
	}
	history := widget.NewButtonWithIcon(i18n.T("adminui.row.history"), theme.HistoryIcon(), func() {
		if id := strings.TrimSpace(v.biin.Text); id != "" {
			st := v.state()
			s.showHistory(id, func() { s.showUNIS(); s.unis.restore(st) })
		}
	})
	back := widget.NewButtonWithIcon(i18n.T("adminui.back.drafts"), theme.NavigateBackIcon(), s.a.showDrafts)

	createBox := container.NewVBox(
		widget.NewLabelWithStyle(i18n.T("adminui.unis.create.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		v.iin, v.name, v.app, v.createProblem, container.NewHBox(v.create))
	blockBox := container.NewVBox(
		widget.NewLabelWithStyle(i18n.T("adminui.unis.block.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		v.biin, v.grounds, v.bapp, v.bnote, v.blockProblem, container.NewHBox(v.block, history))
	s.setBody(container.NewVBox(container.NewHBox(back), widget.NewSeparator()),
		container.NewVScroll(container.NewVBox(createBox, widget.NewSeparator(), blockBox)))
	v.check()
	v.loadGrounds()
}

func (v *unisView) loadGrounds() {
	var gs []api.UNISGround
	v.s.run(func(ctx context.Context) (err error) {
		gs, err = v.s.svc.Grounds(ctx)
		return err
	}, func(err error) {
		if err != nil {
			v.s.failed(err)
			return
		}
		v.groundList = gs
		opts := make([]string, len(gs))
		for i, g := range gs {
			opts[i] = groundText(g)
		}
		v.grounds.SetOptions(opts)
		v.selectGround()
		v.check()
	})
}

func (v *unisView) selectGround() {
	for i, g := range v.groundList {
		if g.Code == v.pendingGround {
			v.grounds.SetSelectedIndex(i)
		}
	}
}

// check enables the buttons when what they need is there, and says what
// is missing.
func (v *unisView) check() {
	need := func(l *widget.Label, b *widget.Button, msg string) {
		l.SetText(msg)
		if msg == "" {
			l.Hide()
			b.Enable()
		} else {
			l.Show()
			b.Disable()
		}
	}
	msg := ""
	switch {
	case strings.TrimSpace(v.iin.Text) == "" && strings.TrimSpace(v.name.Text) == "" && strings.TrimSpace(v.app.Text) == "":
		msg = " " // nothing typed: no complaint yet
	case !iin.Valid(strings.TrimSpace(v.iin.Text)):
		msg = i18n.T("adminui.exec.need.iin")
	case strings.TrimSpace(v.name.Text) == "":
		msg = i18n.T("adminui.unis.need.name")
	case strings.TrimSpace(v.app.Text) == "":
		msg = i18n.T("adminui.unis.need.app")
	}
	need(v.createProblem, v.create, msg)
	if msg == " " {
		v.createProblem.Hide()
	}
	msg = ""
	switch {
	case strings.TrimSpace(v.biin.Text) == "" && strings.TrimSpace(v.bapp.Text) == "" && v.grounds.SelectedIndex() < 0:
		msg = " "
	case !iin.Valid(strings.TrimSpace(v.biin.Text)):
		msg = i18n.T("adminui.exec.need.iin")
	case v.grounds.SelectedIndex() < 0:
		msg = i18n.T("adminui.unis.need.grounds")
	case strings.TrimSpace(v.bapp.Text) == "":
		msg = i18n.T("adminui.unis.need.app")
	}
	need(v.blockProblem, v.block, msg)
	if msg == " " {
		v.blockProblem.Hide()
	}
}

func (v *unisView) askCreate() {
	req := api.UNISCreateRequest{IIN: strings.TrimSpace(v.iin.Text), FullName: strings.TrimSpace(v.name.Text), Application: strings.TrimSpace(v.app.Text)}
	dialog.NewConfirm(i18n.T("adminui.unis.create.title"),
		i18n.T("adminui.unis.create.ask", "name", req.FullName, "iin", req.IIN), func(ok bool) {
			if !ok {
				return
			}
			var got *api.AdminAccount
			v.s.run(func(ctx context.Context) (err error) {
				got, err = v.s.svc.CreateUNIS(ctx, req)
				return err
			}, func(err error) {
				if err != nil {
					v.s.a.showError(err)
					return
				}
				v.iin.SetText("")
				v.name.SetText("")
				v.app.SetText("")
				v.s.setState(i18n.T("adminui.unis.created", "name", got.FullName, "iin", got.IIN), false)
			})
		}, v.s.a.win).Show()
}

func (v *unisView) askBlock() {
	i := v.grounds.SelectedIndex()
	if i < 0 || i >= len(v.groundList) {
		return
	}
	g := v.groundList[i]
	id := strings.TrimSpace(v.biin.Text)
	req := api.UNISBlockRequest{Grounds: g.Code, Application: strings.TrimSpace(v.bapp.Text), Note: strings.TrimSpace(v.bnote.Text)}
	dialog.NewConfirm(i18n.T("adminui.unis.block.title"),
		i18n.T("adminui.unis.block.ask", "iin", id, "grounds", groundText(g)), func(ok bool) {
			if !ok {
				return
			}
			var got *api.AdminAccount
			v.s.run(func(ctx context.Context) (err error) {
				got, err = v.s.svc.BlockUNIS(ctx, id, req)
				return err
			}, func(err error) {
				if err != nil {
					v.s.a.showError(err)
					return
				}
				v.bapp.SetText("")
				v.bnote.SetText("")
				v.s.setState(i18n.T("adminui.unis.blocked", "name", got.FullName, "iin", got.IIN, "grounds", groundText(g)), false)
			})
		}, v.s.a.win).Show()
}
