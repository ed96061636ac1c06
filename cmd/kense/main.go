// Command kense is the Kense desktop app: the drafts of the application for
// RER SDB account operations, the form editor, and its PDF. This file only
// wires; the screens are package ui.
package main

import (
	"errors"
	"flag"
	"os"
	"os/signal"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"kense/applog"
	"kense/assets"
	"kense/cache"
	"kense/cmd/kense/internal/wire"
	"kense/deploy"
	"kense/i18n"
	"kense/session"
	"kense/ui"
)

func main() {
	// Flags: -server is the address offered at sign-in (else the deployed
	// one, KENSE_SERVER or the MSI's SERVER_URL); -idle-lock shortens the
	// idle lock for this run (testing, kiosks).
	server := flag.String("server", "", "kense-server address")
	idle := flag.Duration("idle-lock", 0, "idle lock, e.g. 30s or 5m (only shorter than the server's)")
	flag.Parse()
	deployedURL, deployedIdle := deploy.Settings()
	if *server == "" {
		*server = deployedURL
	}
	lockAfter := *idle
	if d := time.Duration(deployedIdle) * time.Minute; d > 0 && (lockAfter <= 0 || d < lockAfter) {
		lockAfter = d
	}

	a := app.NewWithID("kz.kense.app")
	a.SetIcon(fyne.NewStaticResource("kense.png", assets.Icon))
	a.Settings().SetTheme(ui.Theme())
	// The title names the app only: the window list and taskbar show it to
	// anyone passing by, so no subunit or person goes there.
	w := a.NewWindow("Kense")
	area, ok := workArea()
	w.Resize(fitWindow(startWindow, area, ok))
	w.CenterOnScreen()

	path, err := cache.DefaultPath()
	var store *cache.Store
	if err == nil {
		store, err = cache.Open(path, cache.Options{})
	}
	if err != nil {
		cannotStart(a, w, err)
		return
	}
	defer store.Close()

	logger, logClose, err := applog.Open("Kense")
	if err != nil {
		fyne.LogError("log", err)
	} else {
		defer logClose.Close()
	}
	// Viewer files go to Kense's own temp folder, where what a killed run
	// left is removed now (the cache above is held: no other Kense of
	// this user runs).
	tempDir, err := wire.TempDir()
	if err != nil {
		fyne.LogError("temp folder", err)
		tempDir = os.TempDir()
	}
	sess := session.New(session.Options{})
	sh := ui.NewShell(a, w, wire.Shell(store, sess, wire.ShellOptions{
		Server:   *server,
		IdleLock: lockAfter,
		Log:      logger,
		Base:     ui.Services{OpenURL: a.OpenURL, TempDir: tempDir},
	}))
	// Minimised or behind other windows longer than the timeout locks too.
	a.Lifecycle().SetOnExitedForeground(sh.Locker().Background)
	a.Lifecycle().SetOnEnteredForeground(sh.Locker().Foreground)
	w.SetOnClosed(sh.Close)
	// Asked to stop (a service manager, Ctrl+C in a terminal): close as
	// the window's close button does, so edits are written and the viewer
	// files removed.
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-stop
		fyne.Do(w.Close)
	}()
	sh.Start()
	w.ShowAndRun()
}

// cannotStart tells why Kense cannot run (most often: it already runs, and
// the cache file is locked) and quits when the user closes the message.
// cache.Open gives up after a short timeout, so this never hangs.
func cannotStart(a fyne.App, w fyne.Window, err error) {
	if e := ui.ApplyLang(ui.SystemLang()); e != nil {
		fyne.LogError("language", e)
	}
	msg := wire.Message(err)
	var ce *cache.Error
	if !errors.As(err, &ce) {
		msg = i18n.T("ui.start.failed", "error", err.Error())
	}
	w.SetContent(widget.NewLabel(""))
	w.Resize(fyne.NewSize(520, 220))
	d := dialog.NewInformation(i18n.T("ui.start.title"), msg, w)
	d.SetOnClosed(a.Quit)
	w.SetOnClosed(a.Quit)
	d.Show()
	w.ShowAndRun()
}
