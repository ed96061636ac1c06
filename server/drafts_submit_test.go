package server

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"kense/api"
	"kense/form"
)

func TestSignerIsHead(t *testing.T) {
	for _, c := range []struct {
		cn, head string
		want     bool
	}{
		{"НҰРЛАНОВА АЙГҮЛ", "Нұрланова Айгүл Серікқызы", true},
		{"НҰРЛАНОВА АЙГҮЛ", "  нұрланова   айгүл ", true},
		{"НҰРЛАНОВА АЙГҮЛ", "Нұрланова", false},
		{"НҰРЛАНОВА АЙГҮЛ", "Айгүл Нұрланова", false},
		{"ӘБЕНОВ ЕРЛАН", "Нұрланова Айгүл Серікқызы", false},
		{"", "Нұрланова", false},
	} {
		if got := SignerIsHead(c.cn, c.head); got != c.want {
			t.Errorf("SignerIsHead(%q, %q) = %v", c.cn, c.head, got)
		}
	}
}

// TestSubmitApplication signs with real RSA keys from the NCA-shaped test
// PKI, through NCA's key file form, and verifies with the server's
// verifier (chain, validity, EKU).
func TestSubmitApplication(t *testing.T) {
	e := newEnv(t, nil)
	nb := t0.AddDate(0, -1, 0)
	e.addAccount(NewAccount{IIN: pNotary.IIN, FullName: "Нұрланова Айгүл Серікқызы", Kind: api.KindUNIS})
	e.addAccount(NewAccount{IIN: pNotary2.IIN, FullName: "Әбенов Ерлан", Kind: api.KindUNIS})
	tokA, err := IssueSession(e.store, pNotary.IIN, e.clock.Now(), 0)
	if err != nil {
		t.Fatal(err)
	}
	tokB, _ := IssueSession(e.store, pNotary2.IIN, e.clock.Now(), 0)
	signA := e.signer(0, e.cert(0, pNotary, "SIGN", nb))
	authA := e.signer(1, e.cert(1, pNotary, "AUTH", nb))
	signB := e.signer(2, e.cert(2, pNotary2, "SIGN", nb))

	f := validDraftForm("Алматы филиалы")
	f.Head.FullName = "Нұрланова Айгүл Серікқызы"
	other := validDraftForm("Басқа")
	other.Head.FullName = "Басқа Адам"
	invalid := sampleDraftForm("Қате", 2) // access levels on operation 1, a repeated row
	invalid.Head.FullName = f.Head.FullName
	push := func(tok string, c api.DraftChange) api.PushResult {
		st, b := e.do(nil, "POST", api.PathDraftsPush, tok, api.PushRequest{Changes: []api.DraftChange{c}})
		var pr api.PushResponse
		if st != 200 || json.Unmarshal(b, &pr) != nil || len(pr.Results) != 1 {
			t.Fatalf("push: %d %s", st, b)
		}
		return pr.Results[0]
	}
	r := push(tokA, change("k1", "app1", 0, f))
	ro := push(tokA, change("k2", "app2", 0, other))
	ri := push(tokA, change("k4", "app3", 0, invalid))
	cmsOf := func(signer int, data []byte, detached bool) string {
		s := []func() ([]byte, error){
			func() ([]byte, error) { return signA.SignCMS(data, detached, e.clock.Now()) },
			func() ([]byte, error) { return authA.SignCMS(data, detached, e.clock.Now()) },
			func() ([]byte, error) { return signB.SignCMS(data, detached, e.clock.Now()) },
		}[signer]
		cms, err := s()
		if err != nil {
			t.Fatal(err)
		}
		return base64.StdEncoding.EncodeToString(cms)
	}
	submit := func(tok, id string, req api.SubmitRequest) (int, []byte) {
		return e.do(nil, "POST", api.PathDrafts+id+"/submit", tok, req)
	}
	canon := form.Canonical(f)

	for _, c := range []struct {
		name   string
		tok    string
		id     string
		req    api.SubmitRequest
		status int
		code   string
	}{
		{"no session", "", "app1", api.SubmitRequest{Version: r.Version, CMS: cmsOf(0, canon, true)}, 401, api.CodeUnauthorized},
		{"AUTH key", tokA, "app1", api.SubmitRequest{Version: r.Version, CMS: cmsOf(1, canon, true)}, 401, api.CodeWrongKeyUsage},
		{"other content", tokA, "app1", api.SubmitRequest{Version: r.Version, CMS: cmsOf(0, form.Canonical(other), true)}, 401, api.CodeBadSignature},
		{"not base64", tokA, "app1", api.SubmitRequest{Version: r.Version, CMS: "%%%"}, 400, api.CodeBadCMS},
		{"another person's key", tokA, "app1", api.SubmitRequest{Version: r.Version, CMS: cmsOf(2, canon, true)}, 403, api.CodeSignerNotHead},
		{"not the head on the form", tokA, "app2", api.SubmitRequest{Version: ro.Version, CMS: cmsOf(0, form.Canonical(other), false)}, 403, api.CodeSignerNotHead},
		{"another account's draft", tokB, "app1", api.SubmitRequest{Version: r.Version, CMS: cmsOf(2, canon, true)}, 404, api.CodeNotFound},
		{"an invalid form", tokA, "app3", api.SubmitRequest{Version: ri.Version, CMS: cmsOf(0, form.Canonical(invalid), true)}, 422, api.CodeInvalidForm},
	} {
		st, b := submit(c.tok, c.id, c.req)
		if er := wantCode(t, st, b, c.status, c.code); er.Code == "" {
			t.Fatalf("%s", c.name)
		}
	}
	st, b := submit(tokA, "app1", api.SubmitRequest{Version: r.Version - 1, CMS: cmsOf(0, canon, true)})
	var ce api.ConflictError
	if st != http.StatusConflict || json.Unmarshal(b, &ce) != nil || ce.Code != api.CodeConflict || ce.Current.Version != r.Version {
		t.Fatalf("stale version: %d %s", st, b)
	}

	st, b = submit(tokA, "app1", api.SubmitRequest{Version: r.Version, CMS: cmsOf(0, canon, false)})
	var sr api.SubmitResponse
	if st != 200 || json.Unmarshal(b, &sr) != nil {
		t.Fatalf("submit: %d %s", st, b)
	}
	a := sr.Application
	if a.Status != api.AppSubmitted || a.SHA256 != form.HashHex(f) || a.SignerIIN != pNotary.IIN || a.SignerName != "НҰРЛАНОВА АЙГҮЛ" ||
		a.CertSerial == "" || a.Version != r.Version || sr.Draft.AppStatus != api.AppSubmitted || sr.Draft.Version <= r.Version {
		t.Fatalf("submitted: %+v / %+v", a, sr.Draft)
	}
	// Read-only now; submitting again is refused.
	if got := push(tokA, change("k3", "app1", sr.Draft.Version, sampleDraftForm("changed", 1))); got.Status != api.PushForbidden || !strings.HasPrefix(got.Message, api.CodeSubmitted) {
		t.Fatalf("edit after submit: %+v", got)
	}
	st, b = submit(tokA, "app1", api.SubmitRequest{Version: sr.Draft.Version, CMS: cmsOf(0, canon, true)})
	wantCode(t, st, b, http.StatusConflict, api.CodeSubmitted)

	// Anyone signed in can check a printout's SHA-256; nobody without a session.
	for _, tok := range []string{tokA, tokB} {
		st, b = e.do(nil, "GET", api.PathApplications+strings.ToUpper(a.SHA256), tok, nil)
		var got api.Application
		if st != 200 || json.Unmarshal(b, &got) != nil || got.SignerIIN != pNotary.IIN || got.Status != api.AppSubmitted {
			t.Fatalf("check: %d %s", st, b)
		}
	}
	st, b = e.do(nil, "GET", api.PathApplications+a.SHA256, "", nil)
	wantCode(t, st, b, 401, api.CodeUnauthorized)
	st, b = e.do(nil, "GET", api.PathApplications+form.HashHex(other), tokA, nil)
	wantCode(t, st, b, 404, api.CodeNotFound)
	st, b = e.do(nil, "GET", api.PathApplications+"abc", tokA, nil)
	wantCode(t, st, b, 400, api.CodeBadRequest)

	// The Operator's decisions sync back as new versions.
	if err := e.store.SetApplicationStatus(a.SHA256, api.AppDone, "", t0); err == nil {
		t.Fatal("submitted → done accepted")
	}
	if err := e.store.SetApplicationStatus(a.SHA256, api.AppRejected, " ", t0); err == nil {
		t.Fatal("rejection without a reason")
	}
	for _, s := range []string{api.AppAccepted, api.AppDone} {
		if err := e.store.SetApplicationStatus(a.SHA256, s, "", t0); err != nil {
			t.Fatal(s, err)
		}
	}
	cr, err := e.store.DraftChanges(pNotary.IIN, sr.Draft.Version, 10)
	if err != nil || len(cr.Changes) != 1 || cr.Changes[0].AppStatus != api.AppDone || cr.Changes[0].SHA256 != a.SHA256 {
		t.Fatalf("status synced back: %+v %v", cr, err)
	}
	if got, _ := e.store.Application(a.SHA256); got.Status != api.AppDone {
		t.Fatalf("application: %+v", got)
	}
	if err := e.store.SetApplicationStatus(fmt.Sprintf("%064d", 0), api.AppAccepted, "", t0); err == nil {
		t.Fatal("unknown application")
	}
}

func FuzzDecodeSubmit(f *testing.F) {
	for _, s := range []string{`{"version":3,"cms":"MIIB"}`, `{}`, `{"version":-1}`, `{"cms":1}`, `{"version":1,"cms":"%%"} x`, `null`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var req api.SubmitRequest
		if err := DecodeStrict(data, &req); err != nil {
			return
		}
		// What decodes goes on to base64 and the verifier: neither may panic.
		if cms, err := base64.StdEncoding.DecodeString(req.CMS); err == nil {
			_, _ = refuseAll{}.VerifyCMS(cms, nil, EKUSign)
		}
	})
}

// validDraftForm passes form.Validate (on t0): submitting needs a valid
// form.
func validDraftForm(subunit string) form.Form {
	return form.Form{Subunit: subunit, Date: "2026-06-15", AttachmentPages: 1,
		Head: form.Head{Position: "Басшы / Head", FullName: "Нұрланова Айгүл"},
		Rows: []form.Row{{FullName: "Омаров Данияр Асқарұлы", IIN: "921029350851", IP: "10.12.0.31",
			UserType: 2, Operation: 12, AccessLevels: []string{"G", "H"}, Position: "Әкімші техник"}}}
}
