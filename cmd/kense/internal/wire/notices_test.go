package wire

import (
	"context"
	"strings"
	"testing"
	"time"

	"kense/client"
	"kense/i18n"
	"kense/server"
	"kense/session"
	"kense/session/sessiontest"
	"kense/ui"
)

// TestNoticesOverDemoServer: the demo RER SDB user, whose head is the demo
// notary, reports the password compromised; the notary's app (as Shell
// wires it) finds the notification once: shown, it is remembered in the
// cache, by no IIN in clear, and the next round and the next run of the
// app do not bring it again.
func TestNoticesOverDemoServer(t *testing.T) {
	i18n.SetLang(i18n.EN)
	t.Cleanup(func() { i18n.SetLang(i18n.KK) })
	const notary, rer = "780312450016", "850505400028"
	demo := sessiontest.StartWith(t, func(c *server.Config) {
		tuneRER(t, func(a *server.Account) { a.PasswordPrimary = false; a.PasswordChangedAt = time.Now() })(c)
		if err := server.SetHead(c.Store, rer, notary); err != nil {
			t.Fatal(err)
		}
	})
	ctx := context.Background()

	// The RER SDB user reports the password compromised.
	user := session.New(session.Options{Client: client.Options{Timeout: 10 * time.Second, Retries: -1}})
	if _, err := user.OpenKeyFile(demo.Key(sessiontest.KeyRER), []byte(server.DemoKeyPassword)); err != nil {
		t.Fatal(err)
	}
	if _, err := user.SignIn(ctx, session.Request{Server: demo.URL(), Login: server.DemoRERLogin,
		Password: []byte(server.DemoRERPassword)}); err != nil {
		t.Fatal(session.UserMessage(err, i18n.EN))
	}
	if told, err := user.ReportCompromised(ctx); err != nil || !told {
		t.Fatalf("report: head told %v, %v", told, err)
	}

	// The head signs in; Shell gives the app its notifications.
	sess, st, acct := signedIn(t, demo)
	if acct != notary {
		t.Fatalf("signed in as %s", acct)
	}
	cfg := Shell(st, sess, ShellOptions{Server: demo.URL(), Base: ui.Services{TempDir: t.TempDir()}, SyncInterval: time.Hour})
	svc, err := cfg.Enter(ui.SignedIn{IIN: acct, FullName: sess.Account().FullName}, func() {})
	if err != nil {
		t.Fatal(Message(err))
	}
	t.Cleanup(cfg.Leave)
	if svc.Notices == nil {
		t.Fatal("no notifications for a signed-in account")
	}
	list, err := svc.Notices.Unseen(ctx)
	if err != nil {
		t.Fatal(Message(err))
	}
	if len(list) != 1 || list[0].Kind != ui.NoticePasswordCompromised || list[0].SubjectIIN != rer ||
		list[0].SubjectLogin != server.DemoRERLogin || list[0].SubjectName == "" || list[0].At.IsZero() || list[0].ID == "" {
		t.Fatalf("notifications %+v", list)
	}
	if err := svc.Notices.MarkSeen([]string{list[0].ID}); err != nil {
		t.Fatal(err)
	}
	if again, err := svc.Notices.Unseen(ctx); err != nil || len(again) != 0 {
		t.Fatalf("shown again: %+v %v", again, err)
	}
	// The next run of the app (a new service over the same cache).
	next := &Notices{S: st, Account: acct, Client: sess.Client}
	if again, err := next.Unseen(ctx); err != nil || len(again) != 0 {
		t.Fatalf("shown again after a restart: %+v %v", again, err)
	}
	if k := next.key(); strings.Contains(k, acct) {
		t.Fatalf("setting %q names the IIN", k)
	}
	// Another account on this workstation keeps its own list.
	other := &Notices{S: st, Account: rer, Client: sess.Client}
	if fresh, err := other.Unseen(ctx); err != nil || len(fresh) != 1 {
		t.Fatalf("another account's list: %+v %v", fresh, err)
	}
}
