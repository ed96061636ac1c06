package wire

import (
	"context"
	"errors"
	"net"
	"reflect"
	"sync"
	"testing"
	"time"

	"kense/api"
	"kense/cache"
	"kense/client"
	"kense/eds"
	"kense/form"
	"kense/i18n"
	"kense/server"
	"kense/session/sessiontest"
	"kense/ui"
)

// fakeNCALayerKeys is a fake NCALayer that signs with the demo key file
// the test chooses ("" : the user presses Cancel), counting the requests.
type fakeNCALayerKeys struct {
	mu    sync.Mutex
	use   string
	asked int
}

func (f *fakeNCALayerKeys) choose(key string) {
	f.mu.Lock()
	f.use = key
	f.mu.Unlock()
}

func (f *fakeNCALayerKeys) requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.asked
}

func (f *fakeNCALayerKeys) start(t *testing.T, demo *sessiontest.Demo) string {
	sub := &Submitter{}
	return sessiontest.FakeNCALayer(t, func(data []byte, detached bool) ([]byte, bool) {
		f.mu.Lock()
		use := f.use
		f.asked++
		f.mu.Unlock()
		var signer eds.Signer
		switch use {
		case "":
			return nil, true
		case sessiontest.KeySign:
			k, err := sub.OpenSignKey(demo.Key(use), []byte(server.DemoKeyPassword))
			if err != nil {
				t.Error(err)
				return nil, true
			}
			defer k.Close()
			signer = k.(*signKey).signer
		default: // an AUTH key file
			k, err := client.OpenKeyFile(demo.Key(use), []byte(server.DemoKeyPassword))
			if err != nil {
				t.Error(err)
				return nil, true
			}
			defer k.Close()
			signer = k
		}
		cms, err := signer.SignCMS(data, detached, time.Now())
		if err != nil {
			t.Error(err)
		}
		return cms, false
	})
}

// notOnServer fails when the server holds an application of f's content.
func notOnServer(t *testing.T, c *client.Client, f form.Form) {
	t.Helper()
	if app, err := c.Application(context.Background(), form.HashHex(f)); err == nil {
		t.Fatalf("an application reached the server: %+v", app)
	}
}

// TestSubmitWithNCALayer runs the NCALayer path against a real demo
// kense-server and a fake NCALayer: an AUTH key chosen in NCALayer is
// refused and nothing is sent; Cancel is a cancel; the SIGN key's
// signature comes back with its certificate's facts; a draft changed
// after signing is refused (nothing sent); signed again, Submit sends that
// very signature (NCALayer is not asked again) and the server records the
// head as the signer.
func TestSubmitWithNCALayer(t *testing.T) {
	i18n.SetLang(i18n.EN)
	t.Cleanup(func() { i18n.SetLang(i18n.KK) })
	demo := sessiontest.Start(t)
	sess, st, acct := signedIn(t, demo)
	sub, sy := submitterFor(sess, st, acct)
	nca := &fakeNCALayerKeys{}
	sub.NCALayerURL = nca.start(t, demo)
	ctx := context.Background()
	d, err := (Store{S: st, Account: acct}).NewDraft(headForm())
	if err != nil {
		t.Fatal(err)
	}

	// The AUTH key: refused here, before anything is submitted.
	nca.choose(sessiontest.KeyNotary)
	if k, err := sub.SignNCALayer(ctx, d.ID); err == nil || Message(err) != i18n.T("submit.err.ncalayer_wrong_key") {
		if k != nil {
			k.Close()
		}
		t.Fatalf("AUTH key through NCALayer: %v", err)
	}
	notOnServer(t, sess.Client(), d.Form)

	// Cancel in NCALayer.
	nca.choose("")
	if _, err := sub.SignNCALayer(ctx, d.ID); !errors.Is(err, ui.ErrSignCanceled) {
		t.Fatalf("cancel: %v", err)
	}

	// The head's SIGN key: the facts are that certificate's.
	fileKey, err := sub.OpenSignKey(demo.Key(sessiontest.KeySign), []byte(server.DemoKeyPassword))
	if err != nil {
		t.Fatal(Message(err))
	}
	want := fileKey.Facts()
	fileKey.Close()
	nca.choose(sessiontest.KeySign)
	key, err := sub.SignNCALayer(ctx, d.ID)
	if err != nil {
		t.Fatal(Message(err))
	}
	if got := key.Facts(); !reflect.DeepEqual(got, want) || got.IIN != acct || got.Serial == "" {
		t.Fatalf("facts %+v, want %+v", got, want)
	}

	// Changed after signing: refused, nothing sent.
	x, err := st.GetDraft(d.ID)
	if err != nil {
		t.Fatal(err)
	}
	signed := x.Form
	x.Form.AttachmentPages = 2
	if err := st.SaveDraft(x); err != nil {
		t.Fatal(err)
	}
	if _, err := sub.Submit(ctx, d.ID, key); err == nil || Message(err) != i18n.T("submit.err.resign") {
		t.Fatalf("changed after signing: %v", err)
	}
	key.Close()
	notOnServer(t, sess.Client(), signed)
	notOnServer(t, sess.Client(), x.Form)
	if got := Application(st)(d.ID); got.Status != "" {
		t.Fatalf("the cache says %+v", got)
	}
	// Changed and changed back, synced each time: the content is the
	// signed one, but the server's version is not the one signed.
	stale, err := sub.SignNCALayer(ctx, d.ID)
	if err != nil {
		t.Fatal(Message(err))
	}
	if ds, _ := st.SyncState(d.ID); ds.Status != cache.StatusSynced {
		t.Fatalf("signed without sending the pending edit first: %+v", ds)
	}
	for _, pages := range []int{3, 2} {
		x.Form.AttachmentPages = pages
		if err := st.SaveDraft(x); err != nil {
			t.Fatal(err)
		}
		if _, err := sy.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := sub.Submit(ctx, d.ID, stale); err == nil || Message(err) != i18n.T("submit.err.resign") {
		t.Fatalf("another version since signing: %v", err)
	}
	stale.Close()

	// Signed again: Submit sends that signature and nothing else.
	key, err = sub.SignNCALayer(ctx, d.ID)
	if err != nil {
		t.Fatal(Message(err))
	}
	asked := nca.requests()
	state, err := sub.Submit(ctx, d.ID, key)
	key.Close()
	if err != nil {
		t.Fatal(Message(err))
	}
	if nca.requests() != asked {
		t.Fatal("Submit asked NCALayer to sign again")
	}
	if state.Status != api.AppSubmitted || state.SignerIIN != acct || state.SignerName != want.CommonName ||
		state.CertSerial != want.Serial || state.SignedAt.IsZero() {
		t.Fatalf("state %+v", state)
	}
	saved, _ := st.GetDraft(d.ID)
	app, err := sess.Client().Application(ctx, form.HashHex(saved.Form))
	if err != nil || app.Status != api.AppSubmitted || app.DraftID != d.ID || app.SignerIIN != acct || app.CertSerial != want.Serial {
		t.Fatalf("on the server: %+v %v", app, err)
	}
	// A closed signature sends nothing; a submitted draft is not signed.
	if _, err := sub.Submit(ctx, d.ID, key); err == nil {
		t.Fatal("a closed NCALayer signature was submitted")
	}
	if _, err := sub.SignNCALayer(ctx, d.ID); err == nil || Message(err) != i18n.T("submit.err.submitted") {
		t.Fatalf("signing a submitted application: %v", err)
	}
}

// TestSubmitNCALayerNotRunning: nothing listens at NCALayer's address; the
// message says to start it (or use a key file), in the user's language.
func TestSubmitNCALayerNotRunning(t *testing.T) {
	demo := sessiontest.Start(t)
	sess, st, acct := signedIn(t, demo)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	sub, _ := submitterFor(sess, st, acct)
	sub.NCALayerURL = "wss://" + addr
	d, err := (Store{S: st, Account: acct}).NewDraft(headForm())
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []i18n.Lang{i18n.KK, i18n.RU, i18n.EN} {
		i18n.SetLang(l)
		_, err := sub.SignNCALayer(context.Background(), d.ID)
		if err == nil || Message(err) != i18n.T("submit.err.ncalayer_not_running") || errors.Is(err, ui.ErrSignCanceled) {
			t.Fatalf("%s: %v / %s", l, err, Message(err))
		}
	}
	i18n.SetLang(i18n.KK)
	if got := Application(st)(d.ID); got.Status != "" {
		t.Fatalf("the cache says %+v", got)
	}
}
