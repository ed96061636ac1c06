package session

import (
	"context"
	"errors"
	"testing"
	"time"

	"kense/client"
	"kense/i18n"
	"kense/server"
	"kense/session/sessiontest"
)

// TestNCALayerSignInAndUnlock: the key chosen in NCALayer signs in; the
// unlock asks NCALayer again and needs the same certificate, online and
// offline; Cancel in NCALayer is a cancel, not a failure.
func TestNCALayerSignInAndUnlock(t *testing.T) {
	e := newDemo(t)
	var keyName string
	canceled := false
	url := sessiontest.FakeNCALayer(t, func(data []byte, detached bool) ([]byte, bool) {
		if canceled {
			return nil, true
		}
		k, err := client.OpenKeyFile(e.key(keyName), pw(server.DemoKeyPassword))
		if err != nil {
			t.Error(err)
			return nil, true
		}
		defer k.Close()
		cms, err := k.SignCMS(data, detached, time.Now())
		if err != nil {
			t.Error(err)
		}
		return cms, false
	})
	s := New(Options{Client: client.Options{Timeout: 5 * time.Second, Retries: -1}, NCALayerURL: url,
		Lang: func() i18n.Lang { return i18n.RU }})
	ctx := context.Background()

	keyName = keyNotary
	res, err := s.SignIn(ctx, Request{Server: e.hs.URL, NCALayer: true})
	if err != nil {
		t.Fatal(UserMessage(err, i18n.EN))
	}
	if res.Account.IIN != "780312450016" || res.Key.IIN != res.Account.IIN || res.Key.KeyUsage != "AUTH" {
		t.Fatalf("result %+v", res)
	}
	if k, r := s.UnlockNeeds(); k || r {
		t.Fatalf("NCALayer unlock asks for passwords: key=%v rer=%v", k, r)
	}

	canceled = true
	if err := s.Unlock(ctx, nil, nil); !client.IsCanceled(err) {
		t.Fatalf("cancel: %v", err)
	}
	canceled = false
	keyName = keyNotary2 // someone else's key in NCALayer
	if err := s.Unlock(ctx, nil, nil); !errors.Is(err, ErrDifferentPerson) {
		t.Fatalf("other key: %v", err)
	}
	keyName = keyNotary
	if err := s.Unlock(ctx, nil, nil); err != nil {
		t.Fatal(UserMessage(err, i18n.EN))
	}

	e.hs.Close()
	keyName = keyNotary2
	if err := s.Unlock(ctx, nil, nil); !errors.Is(err, ErrDifferentPerson) {
		t.Fatalf("other key offline: %v", err)
	}
	keyName = keyNotary
	if err := s.Unlock(ctx, nil, nil); err != nil {
		t.Fatalf("offline NCALayer unlock: %v", err)
	}
}
