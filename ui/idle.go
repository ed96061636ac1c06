package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// activityCatcher is the app's content with an invisible pad BELOW it that
// counts mouse movement and clicks as activity. Fyne has no window-wide
// input hook, and a pad above the content would steal its events; below,
// it hears the pointer wherever no widget above wants it (labels, empty
// space, gaps between fields).
type activityCatcher struct {
	widget.BaseWidget
	pad     *activityPad
	content fyne.CanvasObject
}

func newActivityCatcher(l *Locker, content fyne.CanvasObject) *activityCatcher {
	a := &activityCatcher{pad: &activityPad{l: l}, content: content}
	a.pad.ExtendBaseWidget(a.pad)
	a.ExtendBaseWidget(a)
	return a
}

func (a *activityCatcher) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(a.pad, a.content))
}

// activityPad reports the pointer to the Locker.
type activityPad struct {
	widget.BaseWidget
	l *Locker
}

var (
	_ desktop.Hoverable = (*activityPad)(nil)
	_ fyne.Tappable     = (*activityPad)(nil)
)

func (p *activityPad) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(color.Transparent))
}

func (p *activityPad) MouseIn(*desktop.MouseEvent)    { p.l.Activity() }
func (p *activityPad) MouseMoved(*desktop.MouseEvent) { p.l.Activity() }
func (p *activityPad) MouseOut()                      {}
func (p *activityPad) Tapped(*fyne.PointEvent)        { p.l.Activity() }
