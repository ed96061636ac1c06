package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// choice is a Select whose drop-down is as wide as its longest option: the
// seed's operation labels are long, and Fyne's own Select cuts its menu to
// the width of the (narrow) table column.
type choice struct {
	widget.Select
	// menuText, when set, is what the menu shows for an option: a longer
	// text than fits the field.
	menuText func(option string) string
}

func newChoice(options []string, changed func(string)) *choice {
	c := &choice{}
	c.Options = options
	c.OnChanged = changed
	c.ExtendBaseWidget(c)
	return c
}

// Tapped opens the option menu below the field, at least as wide as it.
func (c *choice) Tapped(*fyne.PointEvent) {
	if c.Disabled() || len(c.Options) == 0 {
		return
	}
	cnv := fyne.CurrentApp().Driver().CanvasForObject(c)
	if cnv == nil {
		return
	}
	items := make([]*fyne.MenuItem, len(c.Options))
	for i, o := range c.Options {
		text := o
		if c.menuText != nil {
			text = c.menuText(o)
		}
		items[i] = fyne.NewMenuItem(text, func() { c.SetSelected(o) })
		items[i].Checked = o == c.Selected
	}
	pop := widget.NewPopUpMenu(fyne.NewMenu("", items...), cnv)
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(c)
	pos.Y += c.Size().Height
	pop.ShowAtPosition(pos)
	w := pop.MinSize().Width
	if c.Size().Width > w {
		w = c.Size().Width
	}
	pop.Resize(fyne.NewSize(w, pop.MinSize().Height))
}
