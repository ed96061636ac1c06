package ui

import (
	"fmt"
	"mime"
	"net/url"
	"os"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"

	"kense/i18n"
	"kense/servicedesk"
)

// Files handed to the system's viewer: previews, slips, scans, ticket
// files. Each goes through a temp file whose name carries no personal
// data and which the app removes when it closes (the viewer may hold it
// open until then).

// writeTempFile writes b to such a temp file. Safe off the UI goroutine.
func (a *App) writeTempFile(b []byte, pattern string) (string, error) {
	f, err := os.CreateTemp(a.svc.TempDir, pattern)
	if err != nil {
		return "", err
	}
	a.addTemp(f.Name())
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return f.Name(), err
}

// openPath opens a file in the system's viewer; noViewer is the catalogue
// key said when none opens. Not while the workstation is locked: work
// fetched in the background (a download, a render) that arrives after the
// lock came must not open a window over the lock screen; the user opens
// it again after unlocking.
func (a *App) openPath(path, noViewer string) error {
	if a.locked != nil && a.locked() {
		fyne.LogError("viewer", fmt.Errorf("not opened while locked"))
		return nil
	}
	if a.svc.OpenURL == nil {
		return nil
	}
	u, err := url.Parse(storage.NewFileURI(path).String())
	if err == nil {
		err = a.svc.OpenURL(u)
	}
	if err != nil {
		return fmt.Errorf("%s (%w)", i18n.T(noViewer), err)
	}
	return nil
}

// viewerExts are the extensions the system's viewer is handed files with,
// by content type: the four a scan or a ticket's file may be.
var viewerExts = map[string]string{
	servicedesk.TypePNG:  ".png",
	servicedesk.TypeJPEG: ".jpg",
	servicedesk.TypePDF:  ".pdf",
	servicedesk.TypeTIFF: ".tif",
}

// viewerExt is the extension for contentType (parameters ignored); ok
// false for any other type.
func viewerExt(contentType string) (ext string, ok bool) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(contentType))
	}
	ext, ok = viewerExts[mt]
	return ext, ok
}

// openTemp writes b to a temp file named by pattern and opens it. The
// pattern's extension decides what the system runs on the file, so callers
// take it from what the bytes are, never from a name someone typed.
func (a *App) openTemp(b []byte, pattern, noViewer string) error {
	path, err := a.writeTempFile(b, pattern)
	if err != nil {
		return err
	}
	return a.openPath(path, noViewer)
}
