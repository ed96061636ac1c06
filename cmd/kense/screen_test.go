package main

import (
	"testing"

	"fyne.io/fyne/v2"
)

func TestFitWindow(t *testing.T) {
	for _, c := range []struct {
		area fyne.Size
		ok   bool
		want fyne.Size
	}{
		{fyne.NewSize(1920, 1040), true, startWindow},            // a large screen: as wished
		{fyne.NewSize(1366, 728), true, fyne.NewSize(1350, 680)}, // 1366×768 less the taskbar
		{fyne.NewSize(1280, 984), true, fyne.NewSize(1264, 820)}, // 1280×1024
		{fyne.NewSize(640, 400), true, fyne.NewSize(800, 520)},   // absurd: not below the floor
		{fyne.Size{}, false, startWindow},                        // unknown
		{fyne.NewSize(0, 0), true, startWindow},                  // nonsense from the system
	} {
		if got := fitWindow(startWindow, c.area, c.ok); got != c.want {
			t.Errorf("area %v (%v): %v, want %v", c.area, c.ok, got, c.want)
		}
	}
}
