package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"kense/i18n"
)

// Notifications to the signed-in user (issue 8): the server tells a head
// that a subordinate reported their password compromised (access rules
// 12.3, 16). After the sign-in and after each sync round the shell asks
// for those not shown yet and lists them in a dialog; each shows once.

// NoticePasswordCompromised is the kind of a notification that a
// subordinate reported their password compromised (api.NotePasswordCompromised).
const NoticePasswordCompromised = "password_compromised"

// Notice is one notification to the signed-in user.
type Notice struct {
	ID string
	// Kind: NoticePasswordCompromised, or one this version does not know.
	Kind string
	// Whom it is about: full name, IIN and login (the login may be "").
	SubjectName, SubjectIIN, SubjectLogin string
	At                                    time.Time
}

// NoticeService gives the signed-in user's notifications (the server's,
// with the cache remembering which were shown).
type NoticeService interface {
	// Unseen fetches the notifications not shown yet, newest first.
	Unseen(ctx context.Context) ([]Notice, error)
	// MarkSeen remembers that the notifications ids were shown.
	MarkSeen(ids []string) error
}

// noticeTimeout bounds one fetch of the notifications.
const noticeTimeout = 30 * time.Second

// checkNotices fetches the notifications not shown yet (off the UI
// goroutine) and shows them; a fetch already on its way, the lock or an
// offline session skip it. A failure says nothing: the sync line already
// tells when the server cannot be reached, and the next round asks again.
func (s *Shell) checkNotices() {
	if s.app == nil || s.app.svc.Notices == nil || s.who.Offline || s.noticeFetch != 0 || s.locker.Locked() {
		return
	}
	svc := s.app.svc.Notices
	n := s.session
	s.noticeFetch = n
	s.runBg(func() {
		ctx, cancel := context.WithTimeout(context.Background(), noticeTimeout)
		defer cancel()
		list, err := svc.Unseen(ctx)
		s.do(func() {
			if s.noticeFetch == n {
				s.noticeFetch = 0
			}
			if err != nil || len(list) == 0 || n != s.session || s.app == nil || s.locker.Locked() {
				return // not shown: the next round brings them again
			}
			s.showNotices(list)
			ids := make([]string, len(list))
			for i, nt := range list {
				ids[i] = nt.ID
			}
			s.runBg(func() {
				if err := svc.MarkSeen(ids); err != nil {
					fyne.LogError("notifications", err)
				}
			})
		})
	})
}

// showNotices lists the notifications in a dialog that does not stop the
// work.
func (s *Shell) showNotices(list []Notice) {
	box := container.NewVBox()
	for _, nt := range list {
		l := widget.NewLabel(noticeText(nt))
		l.Wrapping = fyne.TextWrapWord
		if nt.Kind == NoticePasswordCompromised {
			l.Importance = widget.WarningImportance
		}
		box.Add(l)
	}
	body := fyne.CanvasObject(box)
	if len(list) > 4 {
		sc := container.NewVScroll(box)
		sc.SetMinSize(fyne.NewSize(0, 360))
		body = sc
	}
	d := dialog.NewCustom(i18n.T("notice.title"), i18n.T("ui.close"),
		container.NewStack(minSize(fyne.NewSize(560, 0)), body), s.win)
	d.Show()
}

// noticeText is a notification in the user's language.
func noticeText(nt Notice) string {
	when := showInAlmaty(nt.At, "02.01.2006 15:04")
	switch {
	case nt.Kind != NoticePasswordCompromised:
		return i18n.T("notice.unknown", "time", when)
	case nt.SubjectLogin == "":
		return i18n.T("notice.password_compromised.nologin", "time", when, "name", nt.SubjectName, "iin", nt.SubjectIIN)
	}
	return i18n.T("notice.password_compromised", "time", when, "name", nt.SubjectName, "iin", nt.SubjectIIN,
		"login", nt.SubjectLogin)
}
