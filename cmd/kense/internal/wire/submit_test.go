package wire

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"kense/api"
	"kense/cache"
	"kense/client"
	"kense/form"
	"kense/i18n"
	"kense/server"
	"kense/session"
	"kense/session/sessiontest"
)

// signedIn signs the demo notary in against demo and opens a cache of her
// own, as the shell does.
func signedIn(t *testing.T, demo *sessiontest.Demo) (*session.Session, *cache.Store, string) {
	t.Helper()
	return signedInWith(t, demo, sessiontest.KeyNotary)
}

// signedInWith is signedIn with the demo key file key (sessiontest.Key…).
func signedInWith(t *testing.T, demo *sessiontest.Demo, key string) (*session.Session, *cache.Store, string) {
	t.Helper()
	sess := session.New(session.Options{})
	if _, err := sess.OpenKeyFile(demo.Key(key), []byte(server.DemoKeyPassword)); err != nil {
		t.Fatal(err)
	}
	if _, err := sess.SignIn(context.Background(), session.Request{Server: demo.URL()}); err != nil {
		t.Fatal(session.UserMessage(err, i18n.EN))
	}
	st := openCache(t)
	acct := sess.Account().IIN
	if err := st.Unlock(acct, nil); err != nil {
		t.Fatal(err)
	}
	return sess, st, acct
}

// submitterFor is the shell's Submitter for the signed-in account, its
// Sync a round of the returned syncer.
func submitterFor(sess *session.Session, st *cache.Store, acct string) (*Submitter, *client.Syncer) {
	sy := client.NewSyncer(sess.Client(), st, client.SyncOptions{})
	sy.SetAccount(acct)
	return &Submitter{S: st, C: sess.Client(), Account: acct,
		Sync: func(ctx context.Context) error { _, err := sy.Sync(ctx); return err }}, sy
}

func openCache(t *testing.T) *cache.Store {
	t.Helper()
	st, err := cache.Open(filepath.Join(t.TempDir(), "kense.db"), cache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// headForm is a valid application whose head is the demo notary.
func headForm() form.Form {
	return form.Form{Subunit: "Алматы қаласы бойынша филиал", Date: "2026-11-23", AttachmentPages: 1,
		Head: form.Head{Position: "Бөлім басшысы", FullName: "Нұрланова Айгүл Серікқызы"},
		Rows: []form.Row{{FullName: "Омаров Данияр Асқарұлы", IIN: "921029350851", IP: "10.12.0.31",
			UserType: 2, Operation: 12, AccessLevels: []string{"G", "H"}, Position: "Әкімші техник"}}}
}

// TestSubmitWithSignKey runs the app's submit path against a real demo
// kense-server: the AUTH key is refused before anything is signed, the
// SIGN key's owner is known before it signs, the draft (never synced) is
// sent first, then signed and submitted; the cache keeps the status and
// the signer, and the final PDF carries the signature block.
func TestSubmitWithSignKey(t *testing.T) {
	i18n.SetLang(i18n.EN)
	t.Cleanup(func() { i18n.SetLang(i18n.KK) })
	demo := sessiontest.Start(t)
	sess, st, acct := signedIn(t, demo)
	sub, sy := submitterFor(sess, st, acct)

	d, err := (Store{S: st, Account: acct}).NewDraft(headForm())
	if err != nil {
		t.Fatal(err)
	}

	// The AUTH key file holds no SIGN key; a wrong password says so.
	if _, err := sub.OpenSignKey(demo.Key(sessiontest.KeyNotary), []byte(server.DemoKeyPassword)); err == nil ||
		Message(err) != i18n.T("submit.err.no_sign_key") {
		t.Fatalf("AUTH key file: %v / %s", err, Message(err))
	}
	pw := []byte("wrong-password")
	if _, err := sub.OpenSignKey(demo.Key(sessiontest.KeySign), pw); err == nil || Message(err) == "" || strings.Contains(Message(err), "submit:") {
		t.Fatalf("wrong password: %v / %q", err, Message(err))
	}
	if strings.Trim(string(pw), "\x00") != "" {
		t.Fatal("the key password was not wiped")
	}
	key, err := sub.OpenSignKey(demo.Key(sessiontest.KeySign), []byte(server.DemoKeyPassword))
	if err != nil {
		t.Fatal(Message(err))
	}
	facts := key.Facts()
	if facts.CommonName != "НҰРЛАНОВА АЙГҮЛ" || facts.IIN != acct || facts.Serial == "" {
		t.Fatalf("facts %+v", facts)
	}

	ctx := context.Background()
	state, err := sub.Submit(ctx, d.ID, key)
	key.Close()
	if err != nil {
		t.Fatal(Message(err))
	}
	if state.Status != api.AppSubmitted || state.SignerName != "НҰРЛАНОВА АЙГҮЛ" || state.SignerIIN != acct ||
		state.CertSerial != facts.Serial || state.SignedAt.IsZero() {
		t.Fatalf("state %+v", state)
	}
	if got := Application(st)(d.ID); !reflect.DeepEqual(got, state) {
		t.Fatalf("the cache says %+v", got)
	}
	saved, _ := st.GetDraft(d.ID)
	app, err := sess.Client().Application(ctx, form.HashHex(saved.Form))
	if err != nil || app.Status != api.AppSubmitted || app.DraftID != d.ID || app.SignerIIN != acct {
		t.Fatalf("on the server: %+v %v", app, err)
	}
	// Once submitted, never again.
	key2, err := sub.OpenSignKey(demo.Key(sessiontest.KeySign), []byte(server.DemoKeyPassword))
	if err != nil {
		t.Fatal(err)
	}
	defer key2.Close()
	if _, err := sub.Submit(ctx, d.ID, key2); err == nil || Message(err) != i18n.T("submit.err.submitted") {
		t.Fatalf("second submit: %v", err)
	}
	// The next sync changes none of it.
	if _, err := sy.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := Application(st)(d.ID); !reflect.DeepEqual(got, state) {
		t.Fatalf("after a sync %+v", got)
	}

	// The final PDF of exactly that content carries the signature block;
	// the form as edited since (offline, say) does not.
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) not installed")
	}
	render := RenderSigned(st)
	b, err := render(saved.Form, true)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, b)
	if !strings.Contains(text, "НҰРЛАНОВА АЙГҮЛ") || !strings.Contains(text, facts.Serial) || !strings.Contains(text, acct) {
		t.Fatalf("no signature block in the PDF:\n%s", text)
	}
	changed := saved.Form
	changed.AttachmentPages = 3
	b, err = render(changed, true)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(pdfText(t, b), facts.Serial) {
		t.Fatal("a form that is not the signed content printed with the signature")
	}
}

func pdfText(t *testing.T, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "a.pdf")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-raw", "-enc", "UTF-8", p, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestConflictsMergeEndToEnd: two workstations of one account edit the
// same draft; the second sees the conflict through the app's adapter,
// merges it field by field (a row field from each side), and the server
// ends with the merge.
func TestConflictsMergeEndToEnd(t *testing.T) {
	demo := sessiontest.Start(t)
	sess, st1, acct := signedIn(t, demo)
	st2 := openCache(t)
	if err := st2.Unlock(acct, nil); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sync := func(st *cache.Store) {
		t.Helper()
		sy := client.NewSyncer(sess.Client(), st, client.SyncOptions{})
		sy.SetAccount(acct)
		if _, err := sy.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	d, err := (Store{S: st1, Account: acct}).NewDraft(headForm())
	if err != nil {
		t.Fatal(err)
	}
	sync(st1)
	sync(st2)
	edit := func(st *cache.Store, fn func(*form.Form)) {
		t.Helper()
		x, err := st.GetDraft(d.ID)
		if err != nil {
			t.Fatal(err)
		}
		fn(&x.Form)
		if err := st.SaveDraft(x); err != nil {
			t.Fatal(err)
		}
	}
	edit(st1, func(f *form.Form) { f.Subunit = "Бірінші"; f.Rows[0].Position = "Бірінші лауазым" })
	edit(st2, func(f *form.Form) { f.Subunit = "Екінші"; f.Rows[0].IP = "10.12.0.99" })
	sync(st1)
	sync(st2)

	kicked := 0
	cs := Conflicts{S: st2, Kick: func() { kicked++ }}
	c, err := cs.GetConflict(d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Mine.Subunit != "Екінші" || c.Theirs.Subunit != "Бірінші" || c.TheirsBy != acct || c.TheirsAt.IsZero() || c.MineDeleted || c.TheirsDeleted {
		t.Fatalf("conflict %+v", c)
	}
	// Every differing field must be chosen.
	if err := cs.Merge(d.ID, map[string]bool{"subunit": true}); err == nil || Message(err) != i18n.T("sync.err.merge_incomplete") {
		t.Fatalf("incomplete merge: %v", err)
	}
	if err := cs.Merge(d.ID, map[string]bool{"subunit": true, "rows[0].position": true, "rows[0].ip": false}); err != nil {
		t.Fatal(Message(err))
	}
	if kicked != 1 {
		t.Fatalf("sync kicked %d times", kicked)
	}
	sync(st2)
	sync(st1)
	for i, st := range []*cache.Store{st1, st2} {
		x, _ := st.GetDraft(d.ID)
		r := x.Form.Rows[0]
		if x.Form.Subunit != "Бірінші" || r.Position != "Бірінші лауазым" || r.IP != "10.12.0.99" {
			t.Fatalf("workstation %d ends with %+v", i+1, x.Form)
		}
		if ds, _ := st.SyncState(d.ID); ds.Status != cache.StatusSynced {
			t.Fatalf("workstation %d: %+v", i+1, ds)
		}
	}
	if _, err := cs.GetConflict(d.ID); err == nil {
		t.Fatal("still in conflict")
	}
}
