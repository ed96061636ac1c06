package main

import "fyne.io/fyne/v2"

// The window opens at 1360×820, which a 1366×768 laptop (common in
// offices) cannot show: Fyne cannot maximise a window, and one taller than
// the screen hides its bottom. So the first size is fitted to the desktop's
// work area where the system tells it (Windows).

// startWindow is the window's wished-for first size.
var startWindow = fyne.NewSize(1360, 820)

// fitWindow is want made to fit area (the work area, in Fyne's units),
// leaving room for the window's frame and title; ok false: area unknown.
func fitWindow(want, area fyne.Size, ok bool) fyne.Size {
	if !ok || area.Width <= 0 || area.Height <= 0 {
		return want
	}
	const frameW, frameH = 16, 48   // borders; title bar and a margin
	const floorW, floorH = 800, 520 // below this the screens cannot work
	return fyne.NewSize(
		max(min(want.Width, area.Width-frameW), floorW),
		max(min(want.Height, area.Height-frameH), floorH))
}
