package wire

import (
	"context"
	"testing"

	"kense/client"
	"kense/server"
	"kense/session/sessiontest"
)

// TestShareWithSubunitOverDemoServer: the demo notary and notary2 are
// members of one subunit. A draft stays the owner's until she ticks
// "share with my subunit" (ui.Sharing); after her sync round notary2's
// sync brings it in, and only then.
func TestShareWithSubunitOverDemoServer(t *testing.T) {
	var store server.Store
	demo := sessiontest.StartWith(t, func(c *server.Config) { store = c.Store })
	ds := store.(server.DraftStore)
	for _, iin := range []string{"780312450016", "901120300033"} {
		if err := ds.SetSubunit(iin, headForm().Subunit); err != nil {
			t.Fatal(err)
		}
	}
	sess, st, acct := signedIn(t, demo)
	sy := client.NewSyncer(sess.Client(), st, client.SyncOptions{})
	sy.SetAccount(acct)

	// notary2 on another workstation.
	sess2, st2, acct2 := signedInWith(t, demo, sessiontest.KeyNotary2)
	sy2 := client.NewSyncer(sess2.Client(), st2, client.SyncOptions{})
	sy2.SetAccount(acct2)

	d, err := (Store{S: st, Account: acct}).NewDraft(headForm())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sh := sharing{st: st}
	if on, err := sh.Shared(d.ID); err != nil || on {
		t.Fatalf("a new draft is shared: %v %v", on, err)
	}
	if _, err := sy.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := sy2.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := st2.GetDraft(d.ID); err == nil {
		t.Fatal("notary2 got a draft that was not shared")
	}

	if err := sh.SetShared(d.ID, true); err != nil {
		t.Fatal(err)
	}
	if on, _ := sh.Shared(d.ID); !on {
		t.Fatal("the mark did not stick")
	}
	if _, err := sy.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := sy2.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := st2.GetDraft(d.ID)
	if err != nil || got.Form.Subunit != headForm().Subunit {
		t.Fatalf("notary2 does not see the shared draft: %+v %v", got, err)
	}
}
