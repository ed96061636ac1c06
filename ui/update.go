package ui

import (
	"net/url"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kense/i18n"
)

// Update is a newer Kense release that the server announces. The app only
// says so, in the top bar: the user (or IT, with the MSI) installs it; Kense
// never updates itself.
type Update struct {
	Version string // e.g. "0.2.0"; empty: the app is up to date
	URL     string // an https link to the release; empty: none
}

// updateNotice is the top bar's notice of a newer release: non-blocking,
// with the download link when there is one and a button that hides it
// until the next sign-in.
func updateNotice(u Update, dismiss func()) fyne.CanvasObject {
	text := widget.NewLabel(i18n.T("update.available", "version", u.Version))
	text.Importance = widget.HighImportance
	items := []fyne.CanvasObject{widget.NewIcon(theme.InfoIcon()), text}
	if u.URL != "" {
		if link, err := url.Parse(u.URL); err == nil && link.Scheme == "https" {
			items = append(items, widget.NewHyperlink(i18n.T("update.download"), link))
		}
	}
	hide := widget.NewButtonWithIcon(i18n.T("update.dismiss"), theme.CancelIcon(), dismiss)
	hide.Importance = widget.LowImportance
	return container.NewHBox(append(items, hide)...)
}

// dismissUpdate hides the update notice for the rest of this sign-in.
func (s *Shell) dismissUpdate() {
	s.who.Update = Update{}
	if s.app != nil {
		s.app.rebuildFrame()
	}
}
