package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kense/api"
	"kense/form"
	"kense/i18n"
	"kense/pdf"
	"kense/server"
)

type syncNoEDS struct{}

func (syncNoEDS) VerifyCMS(_, _ []byte, _ string) (*server.Verified, error) {
	return nil, errors.New("no EDS sign-in here")
}

// syncServer starts a real kense-server on 127.0.0.1 with one UNIS
// account and returns its URL, a session token and the store.
func syncTestServer(t *testing.T) (string, string, *server.BoltStore) {
	t.Helper()
	st, err := server.OpenBolt(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv, err := server.New(server.Config{Store: st, Verifier: syncNoEDS{}})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	const iin = "780312450016"
	if _, err := server.CreateAccount(st, server.NewAccount{IIN: iin, FullName: "Нұрланова Айгүл", Kind: api.KindUNIS}, time.Now()); err != nil {
		t.Fatal(err)
	}
	tok, err := server.IssueSession(st, iin, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return hs.URL, tok, st
}

func syncRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	prev := i18n.Current()
	i18n.SetLang(i18n.EN)
	defer i18n.SetLang(prev)
	var out, errb bytes.Buffer
	rc := run(args, &out, &errb)
	return rc, out.String(), errb.String()
}

func listJSON(t *testing.T, profile string, extra ...string) []draftLine {
	t.Helper()
	rc, out, errs := syncRun(t, append([]string{"drafts", "list", "-json", "-profile", profile}, extra...)...)
	if rc != 0 {
		t.Fatalf("list: %d %s", rc, errs)
	}
	var lines []draftLine
	if err := json.Unmarshal([]byte(out), &lines); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return lines
}

func TestDraftsImportListSync(t *testing.T) {
	url, tok, st := syncTestServer(t)
	p1, p2 := t.TempDir(), t.TempDir()
	example := filepath.Join("..", "..", "examples", "application.json")

	rc, out, errs := syncRun(t, "drafts", "import", example, "-profile", p1)
	if rc != 0 || !strings.Contains(out, "saved as draft") {
		t.Fatalf("import: %d %q %q", rc, out, errs)
	}
	lines := listJSON(t, p1)
	if len(lines) != 1 || lines[0].Status != "pending" || lines[0].Version != 0 || lines[0].Rows == 0 {
		t.Fatalf("list before sync: %+v", lines)
	}
	// The example names its scanned orders relative to itself, and it was
	// named relative to the working directory: the draft holds where the
	// scans really are, so the app finds them from anywhere.
	checkImportedOrders(t, p1, lines[0].ID)
	// Not imported for anyone: no account sees it yet.
	if l := listJSON(t, p1, "-owner", "780312450016"); len(l) != 0 {
		t.Fatalf("owner's list before sync: %+v", l)
	}
	rc, out, errs = syncRun(t, "sync", "-server", url, "-profile", p1, "-token", tok)
	if rc != 0 || !strings.Contains(out, "Sent 1, received 1") || !strings.Contains(out, "1 drafts without an account") {
		t.Fatalf("sync: %d %q %q", rc, out, errs)
	}
	lines = listJSON(t, p1, "-owner", "780312450016")
	if len(lines) != 1 || lines[0].Status != "synced" || lines[0].Version == 0 || lines[0].Owner != "780312450016" {
		t.Fatalf("list after sync: %+v", lines)
	}
	cr, err := st.DraftChanges("780312450016", 0, 10)
	if err != nil || len(cr.Changes) != 1 || cr.Changes[0].ID != lines[0].ID {
		t.Fatalf("server: %+v %v", cr, err)
	}
	// A second workstation, token from the environment.
	t.Setenv("KENSE_TOKEN", tok)
	rc, out, errs = syncRun(t, "sync", "-server", url, "-profile", p2, "-json")
	var so syncOut
	if rc != 0 || json.Unmarshal([]byte(out), &so) != nil || so.Report.Pulled != 1 || so.Overview.Synced != 1 {
		t.Fatalf("second sync: %d %q %q", rc, out, errs)
	}
	if l2 := listJSON(t, p2); len(l2) != 1 || l2[0].ID != lines[0].ID || l2[0].Status != "synced" {
		t.Fatalf("second list: %+v", l2)
	}
}

func TestSyncCLIRefusals(t *testing.T) {
	url, _, _ := syncTestServer(t)
	p := t.TempDir()
	t.Setenv("KENSE_TOKEN", "")
	t.Setenv("KENSE_SERVER", "")
	for _, c := range []struct {
		args []string
		rc   int
		want string
	}{
		{[]string{"drafts"}, 2, "usage: kensectl drafts"},
		{[]string{"drafts", "import", "-profile", p}, 2, "usage"},
		{[]string{"drafts", "list", "extra", "-profile", p}, 2, "usage"},
		{[]string{"drafts", "import", filepath.Join(p, "none.json"), "-profile", p}, 1, "Cannot read"},
		{[]string{"sync", "-profile", p}, 2, "usage: kensectl sync"},
		{[]string{"sync", "-server", url, "-profile", p}, 2, "KENSE_TOKEN"},
		{[]string{"sync", "-server", url, "-profile", p, "-token", "wrong"}, 1, "Sync failed"},
		{[]string{"sync", "-server", "http://127.0.0.1:1", "-profile", p, "-token", "x", "-timeout", "1s"}, 1, "Sync failed"},
	} {
		rc, _, errs := syncRun(t, c.args...)
		if rc != c.rc || !strings.Contains(errs, c.want) {
			t.Errorf("%v: %d %q, want %d and %q", c.args, rc, errs, c.rc, c.want)
		}
	}
	if l := listJSON(t, p); len(l) != 0 {
		t.Fatalf("refused commands stored drafts: %+v", l)
	}
	rc, out, _ := syncRun(t, "drafts", "list", "-profile", p)
	if rc != 0 || !strings.Contains(out, "No drafts") {
		t.Fatalf("empty list: %d %q", rc, out)
	}
}

func TestCheckPrintout(t *testing.T) {
	url, tok, st := syncTestServer(t)
	const iin = "780312450016"
	dir := t.TempDir()
	f, err := form.Load(filepath.Join("..", "..", "examples", "application.json"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := st.PushDrafts(iin, []api.DraftChange{{Key: "k1", ID: "d1", Form: f}}, time.Now())
	if err != nil || res[0].Status != api.PushApplied {
		t.Fatalf("push: %+v %v", res, err)
	}
	// The signature path is the server's and the client's tests; here the
	// submission is stored as the server stores it.
	sum := form.HashHex(f)
	app := api.Application{SHA256: sum, SignerIIN: iin, SignerName: "НҰРЛАНОВА АЙГҮЛ", CertSerial: "4A1B"}
	if _, err := st.SubmitDraft(iin, "d1", res[0].Version, app, []byte{0x30}, time.Now()); err != nil {
		t.Fatal(err)
	}
	printed := filepath.Join(dir, "printed.pdf")
	b, err := pdf.Render(f, pdf.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(printed, b, 0o600); err != nil {
		t.Fatal(err)
	}
	changed := f
	changed.AttachmentPages++
	forged := filepath.Join(dir, "changed.pdf")
	if b, err = pdf.Render(changed, pdf.Options{}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(forged, b, 0o600); err != nil {
		t.Fatal(err)
	}
	pdftotext(t, printed) // skips without pdftotext

	rc, out, errs := syncRun(t, "check", printed, "-server", url, "-token", tok)
	if rc != 0 || !strings.Contains(out, "Matches the application "+sum) || !strings.Contains(out, "НҰРЛАНОВА АЙГҮЛ (IIN 780312450016, certificate 4A1B)") || !strings.Contains(out, "Status: submitted") {
		t.Fatalf("printout: %d %q %q", rc, out, errs)
	}
	rc, out, _ = syncRun(t, "check", forged, "-server", url, "-token", tok, "-json")
	var co checkOut
	if rc != 1 || json.Unmarshal([]byte(out), &co) != nil || co.Match || co.SHA256 != form.HashHex(changed) {
		t.Fatalf("changed printout: %d %q", rc, out)
	}
	if err := st.SetApplicationStatus(sum, api.AppRejected, "бұйрық жоқ", time.Now()); err != nil {
		t.Fatal(err)
	}
	rc, out, _ = syncRun(t, "check", "-sha256", strings.ToUpper(sum), "-server", url, "-token", tok)
	if rc != 0 || !strings.Contains(out, "Status: rejected") || !strings.Contains(out, "Reason: бұйрық жоқ") {
		t.Fatalf("by value: %d %q", rc, out)
	}
	notPDF := filepath.Join(dir, "note.txt")
	os.WriteFile(notPDF, []byte("hello"), 0o600)
	for _, c := range []struct {
		args []string
		rc   int
		want string
	}{
		{[]string{"check", "-server", url, "-token", tok}, 2, "usage: kensectl check"},
		{[]string{"check", printed, "-sha256", sum, "-server", url, "-token", tok}, 2, "usage"},
		{[]string{"check", "-sha256", "abc", "-server", url, "-token", tok}, 2, "usage"},
		{[]string{"check", printed, "-server", url, "-token", "wrong"}, 1, "sign in"},
		{[]string{"check", notPDF, "-server", url, "-token", tok}, 1, ""},
	} {
		rc, _, errs := syncRun(t, c.args...)
		if rc != c.rc || !strings.Contains(strings.ToLower(errs), strings.ToLower(c.want)) {
			t.Errorf("%v: %d %q", c.args[1:], rc, errs)
		}
	}
}

// checkImportedOrders: every orderFile of the imported draft is an
// absolute path to a file that exists.
func checkImportedOrders(t *testing.T, profile, id string) {
	t.Helper()
	st, ok := openProfile(profile, &bytes.Buffer{}, "test")
	if !ok {
		t.Fatal("cannot open the profile")
	}
	defer st.Close()
	d, err := st.GetDraft(id)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for i, r := range d.Form.Rows {
		if r.OrderFile == "" {
			continue
		}
		n++
		if !filepath.IsAbs(r.OrderFile) {
			t.Errorf("row %d: orderFile %q is not absolute", i+1, r.OrderFile)
		} else if _, err := os.Stat(r.OrderFile); err != nil {
			t.Errorf("row %d: %v", i+1, err)
		}
	}
	if n == 0 {
		t.Fatal("the example has no order files: the check checks nothing")
	}
}
