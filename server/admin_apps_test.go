package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"kense/api"
	"kense/eds"
	"kense/form"
	"kense/iin"
)

// The execution of applications end to end (issue 8): a real server over
// a real bbolt file; the head submits a signed application over HTTP; the
// RER SDB administrator executes (or rejects) its rows over HTTP; the user
// then signs in with a real EDS, login and password, from the workstation
// address the account is bound to.
//
// Rows carry real workstation addresses (10.x: the form refuses loopback),
// so the test server takes the peer address from a test-only header that
// only this test's wrapper reads; the server itself ignores forwarding
// headers.

const testPeerHeader = "X-Kense-Test-Peer"

type adminEnv struct {
	*env
	head, admin, chamber, plain string // session tokens
	headSign                    eds.Signer
	n                           int
	signers                     map[string]eds.Signer // IIN → AUTH signer
}

const headName = "Нұрланова Айгүл Серікқызы"

var pChamber = DemoPerson{IIN: "880404300058", Surname: "КИМ", GivenName: "ВИКТОР"}

func newAdminEnv(t *testing.T) *adminEnv {
	t.Helper()
	e := newEnv(t, func(c *Config, _ *eds.Verifier) { c.MaxFailures = -1 })
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ip := r.Header.Get(testPeerHeader); ip != "" {
			r.RemoteAddr = net.JoinHostPort(ip, "4000")
		}
		e.srv.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	e.hs, e.client = hs, hs.Client()
	a := &adminEnv{env: e, signers: map[string]eds.Signer{}}
	e.addAccount(NewAccount{IIN: pNotary.IIN, FullName: headName, Kind: api.KindUNIS})
	e.addAccount(NewAccount{IIN: pNotary2.IIN, FullName: "Әбенов Ерлан", Kind: api.KindUNIS})
	e.addAccount(NewAccount{IIN: pChamber.IIN, FullName: "Ким Виктор", Kind: api.KindUNIS})
	e.addAccount(NewAccount{IIN: pStranger.IIN, FullName: "Оспанов Болат", Kind: api.KindUNIS})
	if err := SetRoles(e.store, pNotary2.IIN, []string{api.RoleRERAdmin}); err != nil {
		t.Fatal(err)
	}
	if err := SetRoles(e.store, pChamber.IIN, []string{api.RoleChamber}); err != nil {
		t.Fatal(err)
	}
	for _, x := range []struct {
		tok *string
		iin string
	}{{&a.head, pNotary.IIN}, {&a.admin, pNotary2.IIN}, {&a.chamber, pChamber.IIN}, {&a.plain, pStranger.IIN}} {
		tok, err := IssueSession(e.store, x.iin, e.clock.Now(), 0)
		if err != nil {
			t.Fatal(err)
		}
		*x.tok = tok
	}
	a.headSign = e.signer(0, e.cert(0, pNotary, "SIGN", t0.AddDate(0, -1, 0)))
	return a
}

type peerRT struct{ ip string }

func (p peerRT) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(testPeerHeader, p.ip)
	return http.DefaultTransport.RoundTrip(r)
}

// from is a client whose requests reach the server from workstation ip.
func (e *adminEnv) from(ip string) *http.Client { return &http.Client{Transport: peerRT{ip}} }

// person makes a person with a valid IIN born on 1985-05-day.
func person(day int, surname, given string) DemoPerson {
	for serial := 1; ; serial++ {
		s := fmt.Sprintf("8505%02d3%04d", day, serial)
		var d [11]int
		for i := range d {
			d[i] = int(s[i] - '0')
		}
		if c, ok := iin.CheckDigit(d); ok {
			id := s + fmt.Sprint(c)
			if !iin.Valid(id) {
				panic(id)
			}
			return DemoPerson{IIN: id, Surname: surname, GivenName: given}
		}
	}
}

func fullName(p DemoPerson) string { return p.Surname + " " + p.GivenName }

// rerUser creates an RER SDB account that has changed its primary password
// already (a user at work).
func (e *adminEnv) rerUser(p DemoPerson, login, ip string) {
	e.t.Helper()
	e.addAccount(NewAccount{IIN: p.IIN, FullName: fullName(p), Kind: api.KindRER, Login: login, Password: []byte(rerPassword), BoundIP: ip})
	err := e.store.UpdateAccount(p.IIN, func(a *Account) error {
		a.PasswordPrimary, a.Position, a.UserType, a.AccessLevels = false, "маман", 1, []string{"B"}
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// signInAs signs in as p (its own AUTH key file) from ip.
func (e *adminEnv) signInAs(p DemoPerson, ip, login, password string) (int, []byte) {
	e.t.Helper()
	s, ok := e.signers[p.IIN]
	if !ok {
		k := 1 + len(e.signers)%3
		s = e.signer(k, e.cert(k, p, "AUTH", t0.AddDate(0, -1, 0)))
		e.signers[p.IIN] = s
	}
	return e.signIn(s, attempt{client: e.from(ip), login: login, password: password})
}

func row(p DemoPerson, op int, ip string) form.Row {
	r := form.Row{FullName: fullName(p), IIN: p.IIN, IP: ip, UserType: 1, Operation: op, Position: "маман"}
	if form.GrantsOrChangesRights(op) {
		r.AccessLevels = []string{"B", "G"}
	}
	if form.OrderRequired(op) {
		r.OrderFile = fmt.Sprintf("scans/order-%s-%d.pdf", p.IIN, op)
	}
	return r
}

// submit pushes a draft with rows and submits it signed by the head; it
// returns the application's SHA-256 and the draft id.
func (e *adminEnv) submit(rows ...form.Row) (string, string) {
	e.t.Helper()
	e.n++
	f := validDraftForm("Алматы қаласы бойынша филиал")
	f.Head.FullName, f.Rows, f.AttachmentPages = headName, rows, 2
	id := fmt.Sprintf("adm-%d", e.n)
	st, b := e.do(nil, "POST", api.PathDraftsPush, e.head, api.PushRequest{Changes: []api.DraftChange{change("k-"+id, id, 0, f)}})
	var pr api.PushResponse
	if st != 200 || json.Unmarshal(b, &pr) != nil || pr.Results[0].Status != api.PushApplied {
		e.t.Fatalf("push: %d %s", st, b)
	}
	cms, err := e.headSign.SignCMS(form.Canonical(f), true, e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	st, b = e.do(nil, "POST", api.PathDrafts+id+"/submit", e.head, api.SubmitRequest{Version: pr.Results[0].Version, CMS: base64.StdEncoding.EncodeToString(cms)})
	var sr api.SubmitResponse
	if st != 200 || json.Unmarshal(b, &sr) != nil {
		e.t.Fatalf("submit: %d %s", st, b)
	}
	return sr.Application.SHA256, id
}

func (e *adminEnv) raw(c *http.Client, method, path, token string, data []byte) (int, []byte) {
	e.t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, e.hs.URL+path, bytes.NewReader(data))
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if c == nil {
		c = e.client
	}
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

var scanPDF = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

func (e *adminEnv) uploadOrder(sha string, n int) {
	e.t.Helper()
	st, b := e.raw(nil, "PUT", fmt.Sprintf("%s%s/rows/%d/order", api.PathApplications, sha, n), e.head, scanPDF)
	if st != 200 {
		e.t.Fatalf("order upload: %d %s", st, b)
	}
}

func (e *adminEnv) exec(sha string, n int, req *api.ExecuteRequest) (int, []byte) {
	e.t.Helper()
	var body any
	if req != nil {
		body = req
	}
	return e.do(nil, "POST", fmt.Sprintf("%s%s/rows/%d/execute", api.PathAdminApplication, sha, n), e.admin, body)
}

func (e *adminEnv) mustExec(sha string, n int, req *api.ExecuteRequest) api.ExecuteResponse {
	e.t.Helper()
	st, b := e.exec(sha, n, req)
	var r api.ExecuteResponse
	if st != 200 || json.Unmarshal(b, &r) != nil || r.Outcome.Status != api.RowExecuted || r.Outcome.Row != n {
		e.t.Fatalf("execute row %d: %d %s", n, st, b)
	}
	return r
}

func (e *adminEnv) account(id string) *Account {
	e.t.Helper()
	a, err := e.store.Account(id)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

// history is the account's history less what the console did (the test's
// own setup: accounts created with CreateAccount).
func (e *adminEnv) history(id string) []api.AuditEntry {
	e.t.Helper()
	var out []api.AuditEntry
	for _, x := range e.fullHistory(id) {
		if x.ActorName != ActorConsole {
			out = append(out, x)
		}
	}
	return out
}

func (e *adminEnv) fullHistory(id string) []api.AuditEntry {
	e.t.Helper()
	st, b := e.do(nil, "GET", api.PathAdminAccount+id+"/history", e.admin, nil)
	var h api.AuditHistory
	if st != 200 || json.Unmarshal(b, &h) != nil {
		e.t.Fatalf("history: %d %s", st, b)
	}
	return h.Entries
}

// wantSignIn checks that the sign-in works and returns it.
func (e *adminEnv) wantSignIn(p DemoPerson, ip, login, password string) api.SignInResponse {
	e.t.Helper()
	st, b := e.signInAs(p, ip, login, password)
	return wantOK(e.t, st, b)
}

func TestExecuteEachOperation(t *testing.T) {
	e := newAdminEnv(t)
	const ip = "10.20.0.5"

	t.Run("1 block", func(t *testing.T) {
		u := person(1, "БЛОКОВА", "АЛИЯ")
		e.rerUser(u, "u1.block", ip)
		e.wantSignIn(u, ip, "u1.block", rerPassword)
		sha, _ := e.submit(row(u, form.OpBlock, ip))
		r := e.mustExec(sha, 1, &api.ExecuteRequest{Note: "бұйрық №12"})
		if r.Account.Status != api.StatusBlocked || len(r.PrimaryPassword) != 0 {
			t.Fatalf("blocked: %+v", r)
		}
		st, b := e.signInAs(u, ip, "u1.block", rerPassword)
		if er := wantCode(t, st, b, 403, api.CodeAccountBlocked); !strings.Contains(er.Message, "row 1: бұйрық №12") {
			t.Fatalf("reason: %q", er.Message)
		}
		// Blocking again is refused: the account is blocked already.
		sha2, _ := e.submit(row(u, form.OpBlock, ip), row(u, form.OpChangeAuthority, ip))
		st, b = e.exec(sha2, 1, nil)
		wantCode(t, st, b, 409, api.CodeAccountState)
	})

	t.Run("9 unblock", func(t *testing.T) {
		u := person(1, "БЛОКОВА", "АЛИЯ") // blocked above
		sha, _ := e.submit(row(u, form.OpUnblock, ip))
		e.mustExec(sha, 1, nil)
		e.wantSignIn(u, ip, "u1.block", rerPassword)
		sha2, _ := e.submit(row(u, form.OpUnblock, ip), row(u, form.OpChangeName, ip))
		st, b := e.exec(sha2, 1, nil)
		wantCode(t, st, b, 409, api.CodeAccountState)
		h := e.history(u.IIN)
		if len(h) != 2 || h[0].Action != api.AuditBlock || h[1].Action != api.AuditUnblock || h[1].ActorIIN != pNotary2.IIN ||
			h[1].Application != sha || h[1].Row != 1 || h[1].Operation != form.OpUnblock {
			t.Fatalf("history: %+v", h)
		}
		// The console's creation of the account is in the history too.
		if f := e.fullHistory(u.IIN); len(f) != 3 || f[0].Action != api.AuditAccountCreated || f[0].ActorName != ActorConsole {
			t.Fatalf("full history: %+v", f)
		}
	})

	t.Run("2 register", func(t *testing.T) {
		u := person(2, "ТІРКЕУОВА", "САУЛЕ")
		rw := row(u, form.OpRegister, "10.20.0.22")
		rw.UserType, rw.AccessLevels, rw.Position = 2, []string{"F", "G"}, "Техник"
		sha, _ := e.submit(rw)
		st, b := e.exec(sha, 1, &api.ExecuteRequest{Login: "s.tirkeu"})
		wantCode(t, st, b, 409, api.CodeOrderMissing)
		// Only the applicant uploads; only a scan is kept.
		path := fmt.Sprintf("%s%s/rows/1/order", api.PathApplications, sha)
		st, b = e.raw(nil, "PUT", path, e.admin, scanPDF)
		wantCode(t, st, b, 403, api.CodeForbidden)
		st, b = e.raw(nil, "PUT", path, e.head, []byte("not a scan"))
		wantCode(t, st, b, 400, api.CodeBadRequest)
		e.uploadOrder(sha, 1)
		var ad api.AdminApplication
		st, b = e.do(nil, "GET", api.PathAdminApplication+sha, e.admin, nil)
		if st != 200 || json.Unmarshal(b, &ad) != nil || len(ad.Rows) != 1 || !ad.Rows[0].OrderRequired || ad.Rows[0].Order == nil ||
			ad.Rows[0].Order.ContentType != "application/pdf" || ad.Rows[0].Account != nil || ad.Form.Rows[0].IIN != u.IIN {
			t.Fatalf("admin application: %d %s", st, b)
		}
		st, b = e.do(nil, "GET", fmt.Sprintf("%s%s/rows/1/order", api.PathAdminApplication, sha), e.admin, nil)
		if st != 200 || !bytes.Equal(b, scanPDF) {
			t.Fatalf("order download: %d %q", st, b)
		}
		st, b = e.exec(sha, 1, nil)
		wantCode(t, st, b, 400, api.CodeBadRequest) // no login
		r := e.mustExec(sha, 1, &api.ExecuteRequest{Login: "s.tirkeu"})
		pw := string(r.PrimaryPassword)
		if len(pw) != 19 || !r.Account.PasswordPrimary || r.Account.Kind != api.KindRER || r.Account.Login != "s.tirkeu" ||
			r.Account.BoundIP != "10.20.0.22" || r.Account.UserType != 2 || !slices.Equal(r.Account.AccessLevels, []string{"F", "G"}) ||
			r.Account.Position != "Техник" || r.Account.Subunit != "Алматы қаласы бойынша филиал" {
			t.Fatalf("registered: %+v (password %d chars)", r.Account, len(pw))
		}
		if a := e.account(u.IIN); strings.Contains(a.PasswordHash, pw) || !strings.HasPrefix(a.PasswordHash, "$argon2id$") {
			t.Fatal("the primary password is not stored as its argon2id hash only")
		}
		if strings.Contains(e.logs.String(), pw) {
			t.Fatal("the primary password reached the log")
		}
		st, b = e.exec(sha, 1, &api.ExecuteRequest{Login: "s.tirkeu"})
		wantCode(t, st, b, 409, api.CodeRowDecided)
		// The first sign-in may only change the primary password (rule 14).
		st, b = e.signInAs(u, "10.20.0.5", "s.tirkeu", pw)
		wantCode(t, st, b, 403, api.CodeWrongIP)
		s := e.wantSignIn(u, "10.20.0.22", "s.tirkeu", pw)
		if !s.PasswordChangeRequired || s.PasswordChangeReason != api.PasswordPrimary {
			t.Fatalf("primary password not restricted: %+v", s)
		}
		st, b = e.do(e.from("10.20.0.22"), "GET", api.PathMe, s.Token, nil)
		wantCode(t, st, b, 403, api.CodePasswordChangeRequired)
		st, b = e.do(e.from("10.20.0.22"), "POST", api.PathPassword, s.Token, api.PasswordChangeRequest{Old: api.Secret(pw), New: api.Secret(pwA)})
		if st != 204 {
			t.Fatalf("password change: %d %s", st, b)
		}
		if h := e.history(u.IIN); len(h) != 2 || h[0].Action != api.AuditRegister || h[1].Action != api.AuditPasswordChanged || h[1].ActorIIN != u.IIN {
			t.Fatalf("history: %+v", h)
		}
		if st, b = e.do(e.from("10.20.0.22"), "GET", api.PathMe, s.Token, nil); st != 200 {
			t.Fatalf("me after the change: %d %s", st, b)
		}
		// Registering the IIN again is refused.
		sha2, _ := e.submit(rw, row(u, form.OpChangeName, "10.20.0.22"))
		e.uploadOrder(sha2, 1)
		st, b = e.exec(sha2, 1, &api.ExecuteRequest{Login: "s.other"})
		wantCode(t, st, b, 409, api.CodeAccountExists)
	})

	t.Run("3 change IP", func(t *testing.T) {
		u := person(3, "АЙПИЕВ", "БЕРІК")
		e.rerUser(u, "u3.ip", ip)
		sha, _ := e.submit(row(u, form.OpChangeIP, "10.20.0.33"))
		if r := e.mustExec(sha, 1, nil); r.Account.BoundIP != "10.20.0.33" {
			t.Fatalf("ip: %+v", r.Account)
		}
		st, b := e.signInAs(u, ip, "u3.ip", rerPassword)
		wantCode(t, st, b, 403, api.CodeWrongIP)
		e.wantSignIn(u, "10.20.0.33", "u3.ip", rerPassword)
	})

	t.Run("4 change authority", func(t *testing.T) {
		u := person(4, "ЛАУАЗЫМОВ", "ДӘУЛЕТ")
		e.rerUser(u, "u4.pos", ip)
		rw := row(u, form.OpChangeAuthority, ip)
		rw.Position = "Бас маман"
		sha, _ := e.submit(rw)
		e.mustExec(sha, 1, nil)
		if s := e.wantSignIn(u, ip, "u4.pos", rerPassword); s.Account.Position != "Бас маман" || s.Account.FullName != fullName(u) {
			t.Fatalf("position: %+v", s.Account)
		}
	})

	t.Run("5 change authority and name", func(t *testing.T) {
		u := person(5, "ЕСІМОВА", "ГҮЛНАР")
		e.rerUser(u, "u5.posname", ip)
		rw := row(u, form.OpChangeAuthorityAndName, ip)
		rw.Position, rw.FullName = "Бас маман", "Жаңаева Гүлнар"
		sha, _ := e.submit(rw)
		e.mustExec(sha, 1, nil)
		if s := e.wantSignIn(u, ip, "u5.posname", rerPassword); s.Account.Position != "Бас маман" || s.Account.FullName != "Жаңаева Гүлнар" {
			t.Fatalf("position and name: %+v", s.Account)
		}
		h := e.history(u.IIN)
		if len(h) != 1 || len(h[0].Changes) != 2 || h[0].Changes[1].Field != "fullName" || h[0].Changes[1].New != "Жаңаева Гүлнар" {
			t.Fatalf("history: %+v", h)
		}
	})

	t.Run("6 change authority, name and access", func(t *testing.T) {
		u := person(6, "ҚҰҚЫҚОВ", "НҰРЛАН")
		e.rerUser(u, "u6.all", ip)
		rw := row(u, form.OpChangeAuthorityNameAndAccess, ip)
		rw.Position, rw.FullName, rw.UserType, rw.AccessLevels = "Тексеруші", "Құқықов Нұрлан Ержанұлы", 2, []string{"F"}
		sha, _ := e.submit(rw)
		e.mustExec(sha, 1, nil)
		s := e.wantSignIn(u, ip, "u6.all", rerPassword)
		if s.Account.Position != "Тексеруші" || s.Account.FullName != "Құқықов Нұрлан Ержанұлы" || s.Account.UserType != 2 ||
			!slices.Equal(s.Account.AccessLevels, []string{"F"}) {
			t.Fatalf("changed: %+v", s.Account)
		}
	})

	t.Run("7 reset password", func(t *testing.T) {
		u := person(7, "ПАРОЛЬОВ", "АРМАН")
		e.rerUser(u, "u7.reset", ip)
		sha, _ := e.submit(row(u, form.OpResetPassword, ip))
		r := e.mustExec(sha, 1, nil)
		pw := string(r.PrimaryPassword)
		if len(pw) != 19 || strings.Contains(e.logs.String(), pw) {
			t.Fatalf("primary password: %d chars, or logged", len(pw))
		}
		st, b := e.signInAs(u, ip, "u7.reset", rerPassword)
		wantCode(t, st, b, 401, api.CodeWrongPassword)
		s := e.wantSignIn(u, ip, "u7.reset", pw)
		if !s.PasswordChangeRequired || s.PasswordChangeReason != api.PasswordPrimary {
			t.Fatalf("reset password not restricted: %+v", s)
		}
		// The old password is in the history: it cannot come back (18.7).
		st, b = e.do(e.from(ip), "POST", api.PathPassword, s.Token, api.PasswordChangeRequest{Old: api.Secret(pw), New: api.Secret(rerPassword)})
		var pe api.PasswordPolicyError
		if st != 422 || json.Unmarshal(b, &pe) != nil || !slices.ContainsFunc(pe.Rules, func(r api.BrokenRule) bool { return r.Rule == "reused" }) {
			t.Fatalf("old password reused: %d %s", st, b)
		}
	})

	t.Run("8 dismissal", func(t *testing.T) {
		u := person(8, "БОСАТОВ", "ЕРЖАН")
		e.rerUser(u, "u8.dismiss", ip)
		before := e.wantSignIn(u, ip, "u8.dismiss", rerPassword)
		sha, _ := e.submit(row(u, form.OpDismissal, ip))
		st, b := e.exec(sha, 1, nil)
		wantCode(t, st, b, 409, api.CodeOrderMissing)
		e.uploadOrder(sha, 1)
		if r := e.mustExec(sha, 1, nil); r.Account.Status != api.StatusDismissed || r.Account.DismissedAt.IsZero() {
			t.Fatalf("dismissed: %+v", r.Account)
		}
		st, b = e.signInAs(u, ip, "u8.dismiss", rerPassword)
		wantCode(t, st, b, 403, api.CodeAccountDismissed)
		st, b = e.do(e.from(ip), "GET", api.PathMe, before.Token, nil)
		wantCode(t, st, b, 403, api.CodeAccountBlocked)
		// For good: no operation, no command and no registration reopens it.
		rReg := row(u, form.OpRegister, ip)
		sha2, _ := e.submit(row(u, form.OpUnblock, ip), rReg)
		st, b = e.exec(sha2, 1, nil)
		wantCode(t, st, b, 409, api.CodeAccountDismissed)
		e.uploadOrder(sha2, 2)
		st, b = e.exec(sha2, 2, &api.ExecuteRequest{Login: "u8.again"})
		wantCode(t, st, b, 409, api.CodeAccountDismissed)
		if err := UnblockAccount(e.store, u.IIN, e.clock.Now()); err == nil {
			t.Fatal("the server's unblock reopened a dismissed account")
		}
		if err := BlockAccount(e.store, u.IIN, "x", e.clock.Now()); err == nil {
			t.Fatal("a dismissed account became blocked")
		}
		st, b = e.signInAs(u, ip, "u8.dismiss", rerPassword)
		wantCode(t, st, b, 403, api.CodeAccountDismissed)
		// Its history stays.
		h := e.history(u.IIN)
		if len(h) != 1 || h[0].Action != api.AuditDismissal || h[0].Application != sha || h[0].ActorName != "Әбенов Ерлан" {
			t.Fatalf("history: %+v", h)
		}
	})

	t.Run("10 change name", func(t *testing.T) {
		u := person(10, "ТЕГОВА", "МАДИНА")
		e.rerUser(u, "u10.name", ip)
		rw := row(u, form.OpChangeName, ip)
		rw.FullName = "Күйеуова Мадина"
		sha, _ := e.submit(rw)
		e.mustExec(sha, 1, nil)
		if s := e.wantSignIn(u, ip, "u10.name", rerPassword); s.Account.FullName != "Күйеуова Мадина" || s.Account.Position != "маман" {
			t.Fatalf("name: %+v", s.Account)
		}
	})

	t.Run("11 change account", func(t *testing.T) {
		u := person(11, "АУЫСОВ", "ТАЛҒАТ")
		e.rerUser(u, "u11.old", ip)
		rw := row(u, form.OpChangeAccount, "10.20.0.111")
		rw.Position = "Тіркеуші"
		sha, _ := e.submit(rw)
		r := e.mustExec(sha, 1, &api.ExecuteRequest{Login: "u11.new"})
		if r.Account.Login != "u11.new" || r.Account.BoundIP != "10.20.0.111" || r.Account.Subunit != "Алматы қаласы бойынша филиал" || r.Account.Position != "Тіркеуші" {
			t.Fatalf("account: %+v", r.Account)
		}
		st, b := e.signInAs(u, "10.20.0.111", "u11.old", rerPassword)
		wantCode(t, st, b, 401, api.CodeWrongPassword)
		e.wantSignIn(u, "10.20.0.111", "u11.new", rerPassword)
		// The old login is free again, the new one taken.
		v := person(12, "БАСҚАОВ", "ӘЛИ")
		e.rerUser(v, "u11.old", ip)
		rv := row(v, form.OpChangeAccount, ip)
		sha2, _ := e.submit(rv)
		st, b = e.exec(sha2, 1, &api.ExecuteRequest{Login: "U11.NEW"})
		wantCode(t, st, b, 409, api.CodeAccountExists)
	})

	t.Run("12 change access rights", func(t *testing.T) {
		u := person(13, "РҰҚСАТОВА", "ӘСЕЛ")
		e.rerUser(u, "u12.rights", ip)
		rw := row(u, form.OpChangeAccessRights, ip)
		rw.AccessLevels = []string{"C", "D", "N"}
		sha, _ := e.submit(rw)
		e.mustExec(sha, 1, nil)
		s := e.wantSignIn(u, ip, "u12.rights", rerPassword)
		if s.Account.UserType != 1 || !slices.Equal(s.Account.AccessLevels, []string{"C", "D", "N"}) {
			t.Fatalf("rights: %+v", s.Account)
		}
		h := e.history(u.IIN)
		if len(h) != 1 || h[0].Action != api.AuditChangeAccessRights || h[0].Changes[0].Old != "B" || h[0].Changes[0].New != "C,D,N" {
			t.Fatalf("history: %+v", h)
		}
	})

	t.Run("13 change IIN", func(t *testing.T) {
		old := person(14, "ЖСНОВ", "САМАТ")
		neu := person(15, "ЖСНОВ", "САМАТ")
		e.rerUser(old, "u13.iin", ip)
		e.wantSignIn(old, ip, "u13.iin", rerPassword)
		rp := row(old, form.OpChangeAuthority, ip)
		rp.Position = "Аға маман"
		sha, _ := e.submit(rp, row(neu, form.OpChangeIIN, ip))
		e.mustExec(sha, 1, nil)
		st, b := e.exec(sha, 2, nil)
		wantCode(t, st, b, 400, api.CodeBadRequest) // the account's IIN is needed
		st, b = e.exec(sha, 2, &api.ExecuteRequest{AccountIIN: pStranger.IIN})
		wantCode(t, st, b, 409, api.CodeAccountKind)
		r := e.mustExec(sha, 2, &api.ExecuteRequest{AccountIIN: old.IIN})
		if r.Account.IIN != neu.IIN || !slices.Equal(r.Account.PreviousIINs, []string{old.IIN}) || r.Account.Position != "Аға маман" {
			t.Fatalf("moved: %+v", r.Account)
		}
		st, b = e.signInAs(old, ip, "u13.iin", rerPassword)
		wantCode(t, st, b, 403, api.CodeAccountNotFound)
		if s := e.wantSignIn(neu, ip, "u13.iin", rerPassword); s.Account.IIN != neu.IIN {
			t.Fatalf("signed in as %+v", s.Account)
		}
		// The history follows the account to its new IIN.
		h := e.history(neu.IIN)
		if len(h) != 2 || h[0].Action != api.AuditChangeAuthority || h[0].AccountIIN != old.IIN ||
			h[1].Action != api.AuditChangeIIN || h[1].PreviousIIN != old.IIN || h[1].AccountIIN != neu.IIN {
			t.Fatalf("history: %+v", h)
		}
	})
}

func TestRejectRowsAndOutcomesSyncBack(t *testing.T) {
	e := newAdminEnv(t)
	u := person(20, "ҚАБЫЛОВ", "ИСА")
	e.rerUser(u, "u20", "10.20.0.5")
	sha, id := e.submit(row(u, form.OpChangeName, "10.20.0.5"), row(u, form.OpChangeIP, "10.20.0.6"))
	before, err := e.store.DraftFor(pNotary.IIN, id)
	if err != nil {
		t.Fatal(err)
	}

	var l api.AdminApplicationList
	st, b := e.do(nil, "GET", api.PathAdminApplications, e.admin, nil)
	if st != 200 || json.Unmarshal(b, &l) != nil || len(l.Applications) != 1 || l.Applications[0].Application.SHA256 != sha ||
		l.Applications[0].Rows != 2 || l.Applications[0].Decided != 0 || l.Applications[0].HeadName != headName {
		t.Fatalf("queue: %d %s", st, b)
	}
	rej := fmt.Sprintf("%s%s/rows/1/reject", api.PathAdminApplication, sha)
	st, b = e.do(nil, "POST", rej, e.admin, api.RejectRequest{Reason: "  "})
	wantCode(t, st, b, 400, api.CodeBadRequest)
	st, b = e.do(nil, "POST", rej, e.admin, api.RejectRequest{Reason: "тегі бұйрықта басқаша"})
	var oc api.RowOutcome
	if st != 200 || json.Unmarshal(b, &oc) != nil || oc.Status != api.RowRejected || oc.Reason != "тегі бұйрықта басқаша" || oc.By != "Әбенов Ерлан" {
		t.Fatalf("reject: %d %s", st, b)
	}
	st, b = e.exec(sha, 1, nil)
	wantCode(t, st, b, 409, api.CodeRowDecided)
	if a := e.account(u.IIN); a.FullName != fullName(u) {
		t.Fatalf("a rejected row changed the account: %+v", a)
	}
	st, b = e.do(nil, "POST", fmt.Sprintf("%s%s/rows/3/reject", api.PathAdminApplication, sha), e.admin, api.RejectRequest{Reason: "x"})
	wantCode(t, st, b, 404, api.CodeNotFound)
	e.mustExec(sha, 2, nil)

	// The applicant sees each row's outcome: on the draft, and by sync.
	st, b = e.do(nil, "GET", api.PathDrafts+id, e.head, nil)
	var d api.DraftRecord
	if st != 200 || json.Unmarshal(b, &d) != nil || len(d.RowOutcomes) != 2 || d.RowOutcomes[0].Status != api.RowRejected ||
		d.RowOutcomes[0].Reason != "тегі бұйрықта басқаша" || d.RowOutcomes[1].Status != api.RowExecuted || d.RowOutcomes[1].At.IsZero() ||
		d.AppStatus != api.AppSubmitted || d.Version <= before.Version {
		t.Fatalf("draft: %d %s", st, b)
	}
	st, b = e.do(nil, "GET", fmt.Sprintf("%s?since=%d", api.PathDraftsChanges, before.Version), e.head, nil)
	var cr api.ChangesResponse
	if st != 200 || json.Unmarshal(b, &cr) != nil || len(cr.Changes) != 1 || len(cr.Changes[0].RowOutcomes) != 2 {
		t.Fatalf("pull: %d %s", st, b)
	}
	// The Operator's later whole-application decision keeps the outcomes.
	if err := e.store.SetApplicationStatus(sha, api.AppAccepted, "", e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if d, _ := e.store.DraftFor(pNotary.IIN, id); d.AppStatus != api.AppAccepted || len(d.RowOutcomes) != 2 {
		t.Fatalf("after accept: %+v", d)
	}
	// Fully decided: out of the queue, but listed with all=1.
	st, b = e.do(nil, "GET", api.PathAdminApplications, e.admin, nil)
	if st != 200 || json.Unmarshal(b, &l) != nil || len(l.Applications) != 0 {
		t.Fatalf("queue after: %d %s", st, b)
	}
	st, b = e.do(nil, "GET", api.PathAdminApplications+"?all=1", e.admin, nil)
	if st != 200 || json.Unmarshal(b, &l) != nil || len(l.Applications) != 1 || l.Applications[0].Decided != 2 {
		t.Fatalf("all: %d %s", st, b)
	}
	// A rejected application's rows can no longer be worked.
	sha2, _ := e.submit(row(u, form.OpBlock, "10.20.0.6"))
	if err := e.store.SetApplicationStatus(sha2, api.AppRejected, "бұйрық жоқ", e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	st, b = e.exec(sha2, 1, nil)
	wantCode(t, st, b, 409, api.CodeApplicationClosed)
	if h := e.history(u.IIN); len(h) != 2 || h[0].Action != api.AuditRowRejected || h[0].Reason != "тегі бұйрықта басқаша" || h[1].Action != api.AuditChangeIP {
		t.Fatalf("history: %+v", h)
	}
}

func TestUNISAccountsByChamber(t *testing.T) {
	e := newAdminEnv(t)
	n := person(21, "НОТАРИУСОВА", "ЖАНАР")
	create := api.UNISCreateRequest{IIN: n.IIN, FullName: fullName(n), Application: "№ 45, 2026-06-10"}
	st, b := e.do(nil, "POST", api.PathAdminUNISAccounts, e.admin, create)
	wantCode(t, st, b, 403, api.CodeForbidden)
	st, b = e.do(nil, "POST", api.PathAdminUNISAccounts, e.chamber, api.UNISCreateRequest{IIN: n.IIN, FullName: fullName(n)})
	wantCode(t, st, b, 400, api.CodeBadRequest)
	st, b = e.do(nil, "POST", api.PathAdminUNISAccounts, e.chamber, create)
	var a api.AdminAccount
	if st != 201 || json.Unmarshal(b, &a) != nil || a.Kind != api.KindUNIS || a.Status != api.StatusActive {
		t.Fatalf("create: %d %s", st, b)
	}
	st, b = e.do(nil, "POST", api.PathAdminUNISAccounts, e.chamber, create)
	wantCode(t, st, b, 409, api.CodeAccountExists)
	e.wantSignIn(n, "10.9.9.9", "", "")

	var gs []api.UNISGround
	st, b = e.do(nil, "GET", api.PathAdminUNISGrounds, e.chamber, nil)
	if st != 200 || json.Unmarshal(b, &gs) != nil || len(gs) != 2 || gs[0].Code != "5.1" {
		t.Fatalf("grounds: %d %s", st, b)
	}
	block := api.PathAdminUNISAccount + n.IIN + "/block"
	st, b = e.do(nil, "POST", block, e.chamber, api.UNISBlockRequest{Grounds: "5.3", Application: "№ 46"})
	wantCode(t, st, b, 400, api.CodeBadRequest)
	st, b = e.do(nil, "POST", block, e.chamber, api.UNISBlockRequest{Grounds: "5.1"})
	wantCode(t, st, b, 400, api.CodeBadRequest)
	st, b = e.do(nil, "POST", api.PathAdminUNISAccount+"123/block", e.chamber, api.UNISBlockRequest{Grounds: "5.1", Application: "№ 46"})
	wantCode(t, st, b, 400, api.CodeBadRequest)
	st, b = e.do(nil, "POST", block, e.chamber, api.UNISBlockRequest{Grounds: "5.1", Application: "№ 46, лицензия тоқтатылды"})
	if st != 200 || json.Unmarshal(b, &a) != nil || a.Status != api.StatusBlocked || !strings.HasPrefix(a.BlockedReason, "UNIS rule 5.1") {
		t.Fatalf("block: %d %s", st, b)
	}
	st, b = e.signInAs(n, "10.9.9.9", "", "")
	if er := wantCode(t, st, b, 403, api.CodeAccountBlocked); !strings.Contains(er.Message, "UNIS rule 5.1") {
		t.Fatalf("reason: %q", er.Message)
	}
	// An RER SDB account is not the chamber's to block.
	u := person(22, "РЕРОВ", "АСХАТ")
	e.rerUser(u, "u22", "10.20.0.5")
	st, b = e.do(nil, "POST", api.PathAdminUNISAccount+u.IIN+"/block", e.chamber, api.UNISBlockRequest{Grounds: "5.2", Application: "№ 47"})
	wantCode(t, st, b, 409, api.CodeAccountKind)

	// The chamber sees the UNIS account's history; the RER SDB
	// administrator does not.
	st, b = e.do(nil, "GET", api.PathAdminAccount+n.IIN+"/history", e.chamber, nil)
	var h api.AuditHistory
	if st != 200 || json.Unmarshal(b, &h) != nil || len(h.Entries) != 2 || h.Entries[0].Action != api.AuditUNISCreate ||
		h.Entries[0].Reason != "№ 45, 2026-06-10" || h.Entries[1].Action != api.AuditUNISBlock || h.Entries[1].Grounds != "5.1" ||
		h.Entries[1].ActorIIN != pChamber.IIN {
		t.Fatalf("history: %d %s", st, b)
	}
	st, b = e.do(nil, "GET", api.PathAdminAccount+n.IIN+"/history", e.admin, nil)
	wantCode(t, st, b, 403, api.CodeForbidden)
	st, b = e.do(nil, "GET", api.PathAdminAccount+n.IIN, e.chamber, nil)
	if st != 200 || json.Unmarshal(b, &a) != nil || a.IIN != n.IIN || a.BlockedReason == "" {
		t.Fatalf("account: %d %s", st, b)
	}
}

// TestAdminRoutesNeedRoles: no session is 401; an account without the
// route's role is 403, whatever else it may do.
func TestAdminRoutesNeedRoles(t *testing.T) {
	e := newAdminEnv(t)
	u := person(23, "ҚОРҒАНОВ", "ЕЛДОС")
	e.rerUser(u, "u23", "10.20.0.5")
	sha, _ := e.submit(row(u, form.OpBlock, "10.20.0.5"))
	if err := SetRoles(e.store, pStranger.IIN, []string{api.RoleLine1, api.RoleLine2, api.RoleLine3}); err != nil {
		t.Fatal(err)
	}
	rer := []struct{ method, path string }{
		{"GET", api.PathAdminApplications},
		{"GET", api.PathAdminApplication + sha},
		{"POST", api.PathAdminApplication + sha + "/rows/1/execute"},
		{"POST", api.PathAdminApplication + sha + "/rows/1/reject"},
		{"GET", api.PathAdminApplication + sha + "/rows/1/order"},
		{"GET", api.PathAdminAccount + u.IIN},
		{"GET", api.PathAdminAccount + u.IIN + "/history"},
	}
	unis := []struct{ method, path string }{
		{"POST", api.PathAdminUNISAccounts},
		{"POST", api.PathAdminUNISAccount + u.IIN + "/block"},
		{"GET", api.PathAdminUNISGrounds},
	}
	body := func(method string) any {
		if method == "POST" {
			return map[string]string{}
		}
		return nil
	}
	for _, r := range append(rer, unis...) {
		st, b := e.do(nil, r.method, r.path, "", body(r.method))
		wantCode(t, st, b, 401, api.CodeUnauthorized)
		for _, tok := range []string{e.plain, e.head} { // ServiceDesk lines and the head are not administrators
			st, b := e.do(nil, r.method, r.path, tok, body(r.method))
			wantCode(t, st, b, 403, api.CodeForbidden)
		}
	}
	for _, r := range rer {
		st, b := e.do(nil, r.method, r.path, e.chamber, body(r.method))
		wantCode(t, st, b, 403, api.CodeForbidden)
	}
	for _, r := range unis {
		st, b := e.do(nil, r.method, r.path, e.admin, body(r.method))
		wantCode(t, st, b, 403, api.CodeForbidden)
	}
	if a := e.account(u.IIN); a.Status != api.StatusActive {
		t.Fatalf("refused requests changed the account: %+v", a)
	}
	// The administrator role is not a ServiceDesk line.
	if isStaff(e.account(pNotary2.IIN)) {
		t.Fatal("rer_admin counts as ServiceDesk staff")
	}
}

func TestNewPrimaryPassword(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		pw, err := NewPrimaryPassword()
		if err != nil {
			t.Fatal(err)
		}
		s := string(pw)
		if len(s) != 19 || s[4] != '-' || s[9] != '-' || s[14] != '-' || seen[s] ||
			!strings.ContainsAny(s, "ABCDEFGHJKLMNPQRSTUVWXYZ") || !strings.ContainsAny(s, "abcdefghijkmnopqrstuvwxyz") ||
			!strings.ContainsAny(s, "23456789") || strings.ContainsAny(s, "01OIl") {
			t.Fatalf("primary password %q", s)
		}
		seen[s] = true
	}
}
