//go:build windows

package main

import (
	"unsafe"

	"fyne.io/fyne/v2"
	"golang.org/x/sys/windows"
)

var (
	user32                   = windows.NewLazySystemDLL("user32.dll")
	procSystemParametersInfo = user32.NewProc("SystemParametersInfoW")
	procGetDpiForSystem      = user32.NewProc("GetDpiForSystem")
)

// workArea is the primary desktop's work area (the screen less the
// taskbar) in Fyne's units: pixels at 96 DPI, as Fyne scales by the DPI.
func workArea() (fyne.Size, bool) {
	const spiGetWorkArea = 0x0030
	var r struct{ Left, Top, Right, Bottom int32 }
	if procSystemParametersInfo.Find() != nil {
		return fyne.Size{}, false
	}
	if ok, _, _ := procSystemParametersInfo.Call(spiGetWorkArea, 0, uintptr(unsafe.Pointer(&r)), 0); ok == 0 {
		return fyne.Size{}, false
	}
	dpi := uintptr(96)
	if procGetDpiForSystem.Find() == nil { // Windows 10 1607 and later
		if d, _, _ := procGetDpiForSystem.Call(); d > 0 {
			dpi = d
		}
	}
	scale := 96 / float32(dpi)
	return fyne.NewSize(float32(r.Right-r.Left)*scale, float32(r.Bottom-r.Top)*scale), true
}
