package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kense/i18n"
)

// print is the "Print / PDF" button. A form with problems can only be
// previewed as a DRAFT; the final copy needs a valid form.
func (e *editor) print() {
	if e.a.svc.Render == nil {
		return
	}
	var d *dialog.CustomDialog
	var body fyne.CanvasObject
	var actions []fyne.CanvasObject
	closeBtn := widget.NewButton(i18n.T("ui.close"), func() { d.Hide() })
	if len(e.problems) > 0 {
		if !e.showAll {
			e.showAll = true
			e.revalidate()
		}
		msg := widget.NewLabel(i18n.T("ui.print.refused", "n", len(e.problems)))
		msg.Wrapping = fyne.TextWrapWord
		body = container.NewBorder(msg, nil, nil, nil, e.problemList())
		draft := widget.NewButtonWithIcon(i18n.T("ui.print.draft"), theme.VisibilityIcon(), func() {
			d.Hide()
			e.preview(false)
		})
		actions = []fyne.CanvasObject{closeBtn, draft}
	} else {
		msg := widget.NewLabel(i18n.T("ui.print.ready"))
		msg.Wrapping = fyne.TextWrapWord
		body = container.NewStack(minSize(fyne.NewSize(520, 0)), msg)
		save := widget.NewButtonWithIcon(i18n.T("ui.print.save"), theme.DocumentSaveIcon(), func() {
			d.Hide()
			e.savePDF()
		})
		view := widget.NewButtonWithIcon(i18n.T("ui.print.preview"), theme.DocumentPrintIcon(), func() {
			d.Hide()
			e.preview(true)
		})
		view.Importance = widget.HighImportance
		actions = []fyne.CanvasObject{closeBtn, save, view}
	}
	d = dialog.NewCustomWithoutButtons(i18n.T("ui.print.title"), body, e.a.win)
	d.SetButtons(actions)
	d.Show()
}

// render makes the PDF off the UI goroutine (hundreds of rows take a
// moment) and hands the bytes to done on the UI goroutine.
func (e *editor) render(final bool, done func([]byte)) {
	f := copyForm(e.draft.Form)
	wait := dialog.NewCustomWithoutButtons(i18n.T("ui.print.working"), widget.NewProgressBarInfinite(), e.a.win)
	wait.Show()
	go func() {
		b, err := e.a.svc.Render(f, final)
		e.a.do(func() {
			wait.Hide()
			if err != nil {
				e.a.showError(err)
				return
			}
			done(b)
		})
	}()
}

// preview writes the PDF to a temp file named without personal data and
// opens it in the system's viewer, which prints it.
func (e *editor) preview(final bool) {
	e.render(final, func(b []byte) {
		if err := e.a.openTemp(b, "kense-preview-*.pdf", "ui.print.noviewer"); err != nil {
			e.a.showError(err)
		}
	})
}

// savePDF renders the final copy and lets the user choose where it goes.
func (e *editor) savePDF() {
	e.render(true, func(b []byte) {
		d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
			if err != nil {
				e.a.showError(err)
				return
			}
			if w == nil {
				return
			}
			_, werr := w.Write(b)
			if cerr := w.Close(); werr == nil {
				werr = cerr
			}
			if werr != nil {
				e.a.showError(werr)
				return
			}
			e.a.info("ui.print.title", i18n.T("ui.print.saved", "name", w.URI().Name()))
		}, e.a.win)
		d.SetFileName(fileName("pdf", e.draft.Form.Date, e.a.now()))
		d.SetFilter(storage.NewExtensionFileFilter([]string{".pdf"}))
		d.Resize(fileDialogSize)
		d.Show()
	})
}
