package ui

import (
	"errors"
	"image/color"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// minSize is an invisible object that holds a container open to s.
func minSize(s fyne.Size) fyne.CanvasObject {
	r := canvas.NewRectangle(color.Transparent)
	r.SetMinSize(s)
	return r
}

// fileDialogSize: Fyne's file dialogs open small; paths need room.
var fileDialogSize = fyne.NewSize(900, 600)

func minWidth(w float32) fyne.CanvasObject { return minSize(fyne.NewSize(w, 0)) }

// newClipLabel is the value shown over a button by clipped.
func newClipLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

// clipped shows a value on button b through label l, lead points from the
// left (past b's icon). A Fyne button draws its whole text, over the cells
// beside it when the column is narrow (a long scan name, sixteen access
// levels); the label cuts it with "…" instead. Labels take no taps, so a
// tap still reaches the button. b's own text is for when l is empty.
func clipped(b *widget.Button, l *widget.Label, lead float32) fyne.CanvasObject {
	return container.NewStack(b, container.New(layout.NewCustomPaddedLayout(0, 0, lead, 0), l))
}

// cellEntry is the table's text field. A Fyne entry scrolls its own text,
// and so swallows the mouse wheel meant for the table (fyne#1939); this one
// only scrolls while it has the focus or its text is too long to show, so
// that over most cells the wheel scrolls the rows.
type cellEntry struct {
	widget.Entry
	focused bool
	marked  bool // shows a validation error (and its icon)
}

// mark shows msg as the entry's validation error ("" clears it).
func (e *cellEntry) mark(msg string) {
	if msg == "" {
		e.SetValidationError(nil)
	} else {
		e.SetValidationError(errors.New(msg))
	}
	e.marked = msg != ""
	e.fit()
}

func newCellEntry() *cellEntry {
	e := &cellEntry{}
	e.Wrapping = fyne.TextWrapOff
	e.Scroll = fyne.ScrollNone
	e.ExtendBaseWidget(e)
	return e
}

func (e *cellEntry) FocusGained() {
	e.focused = true
	e.Entry.FocusGained()
	e.fit()
}

func (e *cellEntry) FocusLost() {
	e.focused = false
	e.Entry.FocusLost()
	e.fit()
}

func (e *cellEntry) Resize(s fyne.Size) {
	e.Entry.Resize(s)
	e.fit()
}

// fit turns the entry's own scrolling on only when it is needed.
func (e *cellEntry) fit() {
	room := e.Size().Width - 2*theme.InnerPadding()
	if e.marked {
		room -= theme.IconInlineSize() + theme.Padding() // the error icon
	}
	want := fyne.ScrollNone
	if e.focused || fyne.MeasureText(e.Text, theme.TextSize(), e.TextStyle).Width > room {
		want = fyne.ScrollHorizontalOnly
	}
	if e.Scroll != want {
		e.Scroll = want
		e.Refresh()
	}
}

// chooseKeyFile lets the user pick an EDS key file (PKCS#12), opening in
// the folder of current; set gets the chosen path in the platform's form
// (C:\Users\… on Windows). Cancel does nothing; onErr (may be nil) hears
// a failure of the dialog itself.
func chooseKeyFile(win fyne.Window, current string, onErr func(error), set func(path string)) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			if onErr != nil {
				onErr(err)
			}
			return
		}
		if r == nil {
			return
		}
		p := filepath.FromSlash(r.URI().Path())
		_ = r.Close()
		set(p)
	}, win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".p12", ".P12", ".pfx", ".PFX"}))
	if p := strings.TrimSpace(current); p != "" {
		if dir, err := storage.ListerForURI(storage.NewFileURI(filepath.Dir(p))); err == nil {
			d.SetLocation(dir)
		}
	}
	d.Resize(fileDialogSize)
	d.Show()
}

// newTwoLineItem is a list line of two truncated labels, a bold heading
// over a plain line (the queue, the tickets).
func newTwoLineItem() fyne.CanvasObject {
	head := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	head.Truncation = fyne.TextTruncateEllipsis
	line := widget.NewLabel("")
	line.Truncation = fyne.TextTruncateEllipsis
	return container.NewVBox(head, line)
}
