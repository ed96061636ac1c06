package ui

import (
	"errors"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
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
