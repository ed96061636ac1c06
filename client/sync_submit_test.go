package client

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kense/api"
	"kense/cache"
	"kense/eds"
	"kense/form"
	"kense/i18n"
	"kense/server"
)

// TestSubmitEndToEnd: the demo notary signs in with her AUTH key file,
// fills a draft, syncs, signs it with her SIGN key file and submits it;
// the read-only status and the Operator's decision come back by sync.
func TestSubmitEndToEnd(t *testing.T) {
	var st server.Store
	e := newDemo(t, func(c *server.Config) { st = c.Store })
	c := e.client()
	ctx := context.Background()
	me, err := c.SignIn(ctx, e.open(keyNotary), "", nil)
	if err != nil {
		t.Fatal(UserMessage(err, i18n.EN))
	}
	iin := me.Account.IIN
	cs, err := cache.Open(filepath.Join(t.TempDir(), "kense.db"), cache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	sy := NewSyncer(c, cs, SyncOptions{})

	// A valid form: the server submits no other.
	f := form.Form{Subunit: "Алматы қаласы бойынша филиал", Date: "2026-11-23", AttachmentPages: 2,
		Head: form.Head{Position: "Бөлім басшысы", FullName: "Нұрланова Айгүл Серікқызы"},
		Rows: []form.Row{{FullName: "Омаров Данияр Асқарұлы", IIN: "921029350851", IP: "10.12.0.31",
			UserType: 2, Operation: 12, AccessLevels: []string{"G", "H"}, Position: "Әкімші техник"}}}
	d, err := cs.NewDraftFor(iin, f)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sy.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	ds, _ := cs.SyncState(d.ID)
	if ds.Status != cache.StatusSynced || ds.AppStatus != "" {
		t.Fatalf("before submit: %+v", ds)
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
	saved, _ := cs.GetDraft(d.ID)
	cms, err := signKey.SignCMS(form.Canonical(saved.Form), true, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// Signing with the AUTH key is refused with its own code.
	authCMS, err := e.open(keyNotary).SignCMS(form.Canonical(saved.Form), true, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.SubmitDraft(ctx, d.ID, ds.Version, authCMS)
	wantAPI(t, err, api.CodeWrongKeyUsage)

	res, err := c.SubmitDraft(ctx, d.ID, ds.Version, cms)
	if err != nil {
		t.Fatal(UserMessage(err, i18n.EN))
	}
	if res.Application.SHA256 != form.HashHex(saved.Form) || res.Application.SignerIIN != iin {
		t.Fatalf("submitted: %+v", res.Application)
	}
	if _, err := sy.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	ds, _ = cs.SyncState(d.ID)
	if ds.AppStatus != api.AppSubmitted || ds.SHA256 != res.Application.SHA256 || ds.Status != cache.StatusSynced {
		t.Fatalf("status back: %+v", ds)
	}
	// Read-only: a local edit is refused by the server and stays here.
	saved.Form.Date = "2026-12-31"
	if err := cs.SaveDraft(saved); err != nil {
		t.Fatal(err)
	}
	if rep, err := sy.Sync(ctx); err != nil || rep.Refused != 1 {
		t.Fatalf("edit after submit: %+v %v", rep, err)
	}
	if ds, _ = cs.SyncState(d.ID); ds.Status != cache.StatusRefused || !strings.Contains(ds.Refused, api.CodeSubmitted) {
		t.Fatalf("refused: %+v", ds)
	}
	// The Operator rejects it with a reason; the status syncs back.
	if err := st.SetApplicationStatus(res.Application.SHA256, api.AppRejected, "бұйрық қоса берілмеген", time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := sy.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if ds, _ = cs.SyncState(d.ID); ds.AppStatus != api.AppRejected || ds.AppReason != "бұйрық қоса берілмеген" {
		t.Fatalf("rejected: %+v", ds)
	}
	app, err := c.Application(ctx, res.Application.SHA256)
	if err != nil || app.Status != api.AppRejected || app.SignerName != "НҰРЛАНОВА АЙГҮЛ" {
		t.Fatalf("application: %+v %v", app, err)
	}
	_, err = c.Application(ctx, strings.Repeat("0", 64))
	if ae := wantAPI(t, err, api.CodeNotFound); !errors.Is(ae, &APIError{Code: api.CodeNotFound}) {
		t.Fatal(ae)
	}
}
