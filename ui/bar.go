package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The top bar holds the app's name and screen title on the left and, on
// the right, who is signed in, the sync state, the lock, the tickets, the
// language. Kazakh words are long: in an HBox the bar alone was wider than
// a 1366-pixel laptop screen, and Fyne then widens the window past the
// screen. barLayout lets the bar's informational labels (shrinkLabel: the
// name, the sync state) give way with "…" when room is short; buttons keep
// their size.

// shrinkLabel is a bar label that may be cut with "…".
func shrinkLabel(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

// shrinkMin is how narrow a shrinkLabel may get: a few letters and "…".
const shrinkMin = 48

// barLayout lines its objects up right-aligned, like a right-aligned HBox,
// except that labels made by shrinkLabel take what room is left over.
type barLayout struct{}

func shrinkable(o fyne.CanvasObject) (*widget.Label, bool) {
	l, ok := o.(*widget.Label)
	return l, ok && l.Truncation != fyne.TextTruncateOff
}

// natural is the width an object wants: a label's whole text.
func natural(o fyne.CanvasObject) float32 {
	if l, ok := shrinkable(o); ok {
		if l.Text == "" {
			return 0
		}
		return fyne.MeasureText(l.Text, theme.TextSize(), l.TextStyle).Width + 2*theme.InnerPadding()
	}
	return o.MinSize().Width
}

func (barLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var w, h float32
	n := 0
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		m := o.MinSize()
		if _, ok := shrinkable(o); ok {
			m.Width = min(natural(o), shrinkMin)
		}
		w += m.Width
		h = max(h, m.Height)
		n++
	}
	if n > 1 {
		w += theme.Padding() * float32(n-1)
	}
	return fyne.NewSize(w, h)
}

func (barLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	widths := make([]float32, len(objs))
	var total, give float32
	n := 0
	for i, o := range objs {
		if !o.Visible() {
			continue
		}
		widths[i] = natural(o)
		total += widths[i]
		if _, ok := shrinkable(o); ok {
			give += max(widths[i]-shrinkMin, 0)
		}
		n++
	}
	if n > 1 {
		total += pad * float32(n-1)
	}
	// Too wide: the labels give up room in proportion to what they can.
	if over := total - size.Width; over > 0 && give > 0 {
		f := min(over/give, 1)
		for i, o := range objs {
			if _, ok := shrinkable(o); ok && o.Visible() {
				cut := max(widths[i]-shrinkMin, 0) * f
				widths[i] -= cut
				total -= cut
			}
		}
	}
	x := max(size.Width-total, 0)
	for i, o := range objs {
		if !o.Visible() {
			continue
		}
		h := min(o.MinSize().Height, size.Height)
		o.Move(fyne.NewPos(x, (size.Height-h)/2))
		o.Resize(fyne.NewSize(widths[i], h))
		x += widths[i] + pad
	}
}
