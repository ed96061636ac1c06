package wire

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"kense/api"
	"kense/form"
	"kense/i18n"
	"kense/server"
	"kense/session/sessiontest"
	"kense/ui"
)

// TestAdminOverDemoServer runs the admin service against a real demo
// kense-server: the demo notary holds the RER SDB administrator role,
// which the sign-in now tells the app; she submits an application whose
// row resets the demo RER SDB account's password, finds it in the queue,
// executes the row, and the primary password that comes back once prints
// on the slip (pdftotext reads it); the account's history records it, and
// the application prints as filed with its signer.
func TestAdminOverDemoServer(t *testing.T) {
	i18n.SetLang(i18n.EN)
	t.Cleanup(func() { i18n.SetLang(i18n.KK) })
	var store server.Store
	demo := sessiontest.StartWith(t, func(c *server.Config) { store = c.Store })
	const notary, rer = "780312450016", "850505400028"
	if err := server.SetRoles(store, notary, []string{api.RoleRERAdmin}); err != nil {
		t.Fatal(err)
	}
	sess, st, acct := signedIn(t, demo)
	if acct != notary || !slices.Contains(sess.Account().Roles, api.RoleRERAdmin) {
		t.Fatalf("signed in as %s with roles %v", acct, sess.Account().Roles)
	}
	if AdminFor(nil, sess.Client) != nil || AdminFor([]string{api.RoleLine1}, sess.Client) != nil {
		t.Fatal("an admin service without an admin role")
	}
	ad := AdminFor(sess.Account().Roles, sess.Client)
	if ad == nil {
		t.Fatal("no admin service for the administrator")
	}

	// The application: reset the demo RER SDB user's password.
	sub, sy := submitterFor(sess, st, acct)
	sub.Orders = &Orders{S: st, C: sess.Client(), Account: acct}
	f := headForm()
	// Row 2 dismisses someone: its scanned order goes to the server right
	// after the submission, so the Operator sees it there.
	order := filepath.Join(t.TempDir(), "order-8.pdf")
	if err := os.WriteFile(order, []byte("%PDF-1.4\n% dismissal order\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f.Rows = []form.Row{{FullName: "Сейітова Дана Маратқызы", IIN: rer, IP: "10.12.0.31", UserType: 1,
		Operation: form.OpResetPassword, Position: "Тіркеуші"},
		{FullName: "Қасымов Ерлан", IIN: "921029350851", IP: "10.12.0.32", UserType: 1,
			Operation: form.OpDismissal, Position: "Тіркеуші", OrderFile: order}}
	d, err := (Store{S: st, Account: acct}).NewDraft(f)
	if err != nil {
		t.Fatal(err)
	}
	key, err := sub.OpenSignKey(demo.Key(sessiontest.KeySign), []byte(server.DemoKeyPassword))
	if err != nil {
		t.Fatal(Message(err))
	}
	ctx := context.Background()
	_, err = sub.Submit(ctx, d.ID, key)
	key.Close()
	if err != nil {
		t.Fatal(Message(err))
	}
	saved, _ := st.GetDraft(d.ID)
	sha := form.HashHex(saved.Form)

	q, err := ad.Queue(ctx, false)
	if err != nil || len(q) != 1 || q[0].Application.SHA256 != sha || q[0].Rows != 2 {
		t.Fatalf("queue %+v %v", q, err)
	}
	app, err := ad.Application(ctx, sha)
	if err != nil || len(app.Rows) != 2 || app.Rows[0].Account == nil || app.Rows[0].Account.Login != server.DemoRERLogin {
		t.Fatalf("application %+v %v", app, err)
	}
	if !app.Rows[1].OrderRequired || app.Rows[1].Order == nil {
		t.Fatalf("the dismissal's order did not reach the server: %+v", app.Rows[1])
	}
	if _, done, _ := st.Setting(ordersSentPrefix + sha); !done {
		t.Fatal("orders not marked sent")
	}
	resp, err := ad.Execute(ctx, sha, 1, api.ExecuteRequest{Note: "demo"})
	if err != nil {
		t.Fatal(Message(err))
	}
	if resp.Outcome.Status != api.RowExecuted || len(resp.PrimaryPassword) < 12 || resp.Account.Login != server.DemoRERLogin {
		t.Fatalf("execute %+v", resp.Outcome)
	}
	pw := string(resp.PrimaryPassword)
	slip, err := ad.Slip(ui.PasswordSlip{FullName: resp.Account.FullName, IIN: resp.Account.IIN, Login: resp.Account.Login,
		Password: resp.PrimaryPassword, IssuedBy: resp.Outcome.By, Date: time.Now()})
	resp.PrimaryPassword.Wipe()
	if err != nil {
		t.Fatal(Message(err))
	}
	// Executed once only.
	if _, err := ad.Execute(ctx, sha, 1, api.ExecuteRequest{}); err == nil || Message(err) != i18n.T("client.err.row_decided") {
		t.Fatalf("second execute: %v / %s", err, Message(err))
	}
	// The applicant's next sync round brings the row's outcome to the
	// submitted application (issue 8).
	if _, err := sy.Sync(ctx); err != nil {
		t.Fatal(Message(err))
	}
	if as := Application(st)(d.ID); len(as.Rows) != 1 || as.Rows[0].Row != 1 || !as.Rows[0].Executed ||
		as.Rows[0].By != resp.Outcome.By || as.Rows[0].By == "" || !as.Rows[0].At.Equal(resp.Outcome.At) || as.Status == "" {
		t.Fatalf("after sync the applicant sees %+v (outcome %+v)", as, resp.Outcome)
	}
	h, err := ad.History(ctx, rer)
	if err != nil || !slices.ContainsFunc(h.Entries, func(e api.AuditEntry) bool {
		return e.Action == api.AuditResetPassword && e.Application == sha && e.Row == 1 && e.ActorIIN == notary
	}) {
		t.Fatalf("history %+v %v", h, err)
	}
	for _, e := range h.Entries {
		for _, c := range e.Changes {
			if strings.Contains(c.Old+c.New, pw) {
				t.Fatal("the password is in the history")
			}
		}
	}
	doc, err := ad.ApplicationPDF(app)
	if err != nil {
		t.Fatal(Message(err))
	}

	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) not installed")
	}
	text := pdfText(t, slip)
	for _, want := range []string{pw, server.DemoRERLogin, rer, "СЕЙІТОВА", i18n.TL(i18n.KK, "slip.password")} {
		if !strings.Contains(text, want) {
			t.Errorf("%q not on the slip:\n%s", want, text)
		}
	}
	text = pdfText(t, doc)
	if !strings.Contains(text, sha) || !strings.Contains(text, "НҰРЛАНОВА АЙГҮЛ") {
		t.Errorf("the application PDF lacks its hash or signer:\n%s", text)
	}
}
