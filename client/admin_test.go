package client

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"kense/api"
	"kense/eds"
	"kense/form"
	"kense/i18n"
	"kense/server"
)

// TestAdminEndToEnd: the demo notary (head) submits a signed application
// and uploads a row's order; an RER SDB administrator works the queue with
// the client's admin calls; the applicant reads the rows' outcomes; a
// chamber employee creates and blocks a UNIS account; non-administrators
// are refused.
func TestAdminEndToEnd(t *testing.T) {
	var st server.Store
	e := newDemo(t, func(c *server.Config) { st = c.Store })
	ctx := context.Background()
	head := e.client()
	if _, err := head.SignIn(ctx, e.open(keyNotary), "", nil); err != nil {
		t.Fatal(UserMessage(err, i18n.EN))
	}
	const (
		changeIIN   = "910315400019" // an existing RER SDB account, its rights changed
		registerIIN = "880720400012" // registered by the application
		adminIIN    = "850505400028" // the demo RER user doubles as the administrator
	)
	if _, err := server.CreateAccount(st, server.NewAccount{IIN: changeIIN, FullName: "Омарова Дана", Kind: api.KindRER,
		Login: "d.omarova", Password: []byte("Vk7#mQ2!pLz9"), BoundIP: "10.12.0.31"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	f := form.Form{Subunit: "Алматы қаласы бойынша филиал", Date: time.Now().In(server.Almaty).Format(time.DateOnly), AttachmentPages: 1,
		Head: form.Head{Position: "Бөлім басшысы", FullName: "Нұрланова Айгүл Серікқызы"},
		Rows: []form.Row{
			{FullName: "Омарова Дана", IIN: changeIIN, IP: "10.12.0.31", UserType: 2, Operation: form.OpChangeAccessRights,
				AccessLevels: []string{"G", "H"}, Position: "Әкімші техник"},
			{FullName: "Жаңа Қызметкер", IIN: registerIIN, IP: "10.12.0.32", UserType: 1, Operation: form.OpRegister,
				AccessLevels: []string{"B"}, Position: "Тіркеуші", OrderFile: "scans/order-7.pdf"}}}
	// The head's draft, pushed and submitted with her SIGN key.
	var pr api.PushResponse
	if _, err := head.R(ctx).SetBody(api.PushRequest{Changes: []api.DraftChange{{Key: "k-adm", ID: "d-adm", Form: f}}}).
		SetResult(&pr).Post(api.PathDraftsPush); err != nil || pr.Results[0].Status != api.PushApplied {
		t.Fatalf("push: %+v %v", pr, err)
	}
	data, err := os.ReadFile(e.key("notary_RSA256.p12"))
	if err != nil {
		t.Fatal(err)
	}
	ctr, err := eds.ReadPKCS12(data, []byte(server.DemoKeyPassword))
	if err != nil {
		t.Fatal(err)
	}
	defer ctr.Wipe()
	signKey, err := ctr.Keys[0].Signer()
	if err != nil {
		t.Fatal(err)
	}
	cms, err := signKey.SignCMS(form.Canonical(f), true, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	sub, err := head.SubmitDraft(ctx, "d-adm", pr.Results[0].Version, cms)
	if err != nil {
		t.Fatal(UserMessage(err, i18n.EN))
	}
	sha := sub.Application.SHA256

	// Administrators: roles set by the server's command, sessions issued.
	if err := server.SetRoles(st, adminIIN, []string{api.RoleRERAdmin}); err != nil {
		t.Fatal(err)
	}
	if err := server.SetRoles(st, "901120300033", []string{api.RoleChamber}); err != nil {
		t.Fatal(err)
	}
	session := func(iin string) *Client {
		tok, err := server.IssueSession(st, iin, time.Now(), 0)
		if err != nil {
			t.Fatal(err)
		}
		c := e.client()
		c.SetToken(tok)
		return c
	}
	admin, chamber := session(adminIIN), session("901120300033")
	// The demo RER user's password is the demo's primary one: restricted
	// until changed. An administrator is a user like any other here.
	if err := st.UpdateAccount(adminIIN, func(a *server.Account) error { a.PasswordPrimary = false; return nil }); err != nil {
		t.Fatal(err)
	}

	// Not an administrator: refused with a translated message.
	_, err = head.AdminApplications(ctx, false)
	wantAPI(t, err, api.CodeForbidden)
	_, err = chamber.ExecuteRow(ctx, sha, 1, api.ExecuteRequest{})
	wantAPI(t, err, api.CodeForbidden)

	l, err := admin.AdminApplications(ctx, false)
	if err != nil || len(l.Applications) != 1 || l.Applications[0].Application.SHA256 != sha || l.Applications[0].Rows != 2 {
		t.Fatalf("queue: %+v %v", l, err)
	}
	_, err = admin.ExecuteRow(ctx, sha, 2, api.ExecuteRequest{Login: "j.qyzmetker"})
	wantAPI(t, err, api.CodeOrderMissing)
	scan := []byte("%PDF-1.4\n%%EOF\n")
	if _, err := admin.UploadOrder(ctx, sha, 2, scan); err == nil {
		t.Fatal("the administrator uploaded the applicant's order")
	}
	oi, err := head.UploadOrder(ctx, sha, 2, scan)
	if err != nil || oi.ContentType != "application/pdf" || oi.Size != len(scan) {
		t.Fatalf("upload: %+v %v", oi, err)
	}
	app, err := admin.AdminApplication(ctx, sha)
	if err != nil || len(app.Rows) != 2 || app.Rows[1].Order == nil || app.Rows[0].Account == nil || app.Rows[0].Account.Login != "d.omarova" {
		t.Fatalf("application: %+v %v", app, err)
	}
	got, ct, err := admin.RowOrder(ctx, sha, 2)
	if err != nil || !bytes.Equal(got, scan) || ct != "application/pdf" {
		t.Fatalf("order: %q %q %v", got, ct, err)
	}

	r1, err := admin.ExecuteRow(ctx, sha, 1, api.ExecuteRequest{Note: "ok"})
	if err != nil || r1.Outcome.Status != api.RowExecuted || r1.Account.UserType != 2 || len(r1.PrimaryPassword) != 0 {
		t.Fatalf("execute 1: %+v %v", r1, err)
	}
	_, err = admin.ExecuteRow(ctx, sha, 1, api.ExecuteRequest{})
	wantAPI(t, err, api.CodeRowDecided)
	r2, err := admin.ExecuteRow(ctx, sha, 2, api.ExecuteRequest{Login: "j.qyzmetker"})
	if err != nil || len(r2.PrimaryPassword) != 19 || r2.Account.Login != "j.qyzmetker" || !r2.Account.PasswordPrimary {
		t.Fatalf("register: %+v %v", r2, err)
	}
	r2.PrimaryPassword.Wipe()

	// The applicant sees both outcomes on the draft.
	var d api.DraftRecord
	if _, err := head.R(ctx).SetResult(&d).Get(api.PathDrafts + "d-adm"); err != nil || len(d.RowOutcomes) != 2 ||
		d.RowOutcomes[1].Status != api.RowExecuted || d.RowOutcomes[0].Reason != "ok" {
		t.Fatalf("outcomes: %+v %v", d.RowOutcomes, err)
	}
	h, err := admin.AccountHistory(ctx, registerIIN)
	if err != nil || len(h.Entries) != 1 || h.Entries[0].Action != api.AuditRegister || h.Entries[0].Application != sha || h.Entries[0].Row != 2 {
		t.Fatalf("history: %+v %v", h, err)
	}
	acct, err := admin.AdminAccount(ctx, changeIIN)
	if err != nil || acct.UserType != 2 || len(acct.AccessLevels) != 2 {
		t.Fatalf("account: %+v %v", acct, err)
	}
	if _, err := admin.RejectRow(ctx, sha, 1, "late"); err == nil {
		t.Fatal("a decided row was rejected")
	}

	// The chamber: UNIS accounts on the grounds of UNIS rule 5.
	gs, err := chamber.UNISGrounds(ctx)
	if err != nil || len(gs) != 2 {
		t.Fatalf("grounds: %+v %v", gs, err)
	}
	const takenIIN = "910315400019" // an RER SDB account already
	_, err = chamber.CreateUNISAccount(ctx, api.UNISCreateRequest{IIN: takenIIN, FullName: "Омарова Дана", Application: "№ 1"})
	wantAPI(t, err, api.CodeAccountExists)
	u, err := chamber.CreateUNISAccount(ctx, api.UNISCreateRequest{IIN: "700101300075", FullName: "Оспанов Болат", Application: "№ 2"})
	if err != nil || u.Kind != api.KindUNIS || u.Status != api.StatusActive {
		t.Fatalf("create: %+v %v", u, err)
	}
	if _, err := chamber.BlockUNISAccount(ctx, "780312450016", api.UNISBlockRequest{Grounds: "5.1", Application: "№ 3"}); err != nil {
		t.Fatal(UserMessage(err, i18n.EN))
	}
	hn, err := chamber.AccountHistory(ctx, "780312450016")
	// The demo's creation (the console) and the chamber's block.
	if err != nil || len(hn.Entries) != 2 || hn.Entries[0].Action != api.AuditAccountCreated || hn.Entries[1].Grounds != "5.1" {
		t.Fatalf("notary history: %+v %v", hn, err)
	}
	// The blocked head's session ends.
	_, err = head.Me(ctx)
	wantAPI(t, err, api.CodeAccountBlocked)
}
