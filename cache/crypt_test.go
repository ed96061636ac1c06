package cache

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unicode/utf16"

	bolt "go.etcd.io/bbolt"

	"kense/form"
	"kense/i18n"
	"kense/keyprotect"
)

const (
	secretIIN     = "921029350851"
	secretName    = "Әбілқасымова Гүлнұр Сәрсенқызы"
	secretHead    = "Құрманғазы Ұлан Өтегенұлы"
	secretSubunit = "Алматы облысы бойынша филиал"
	secretPath    = `C:\Users\Гүлнұр\ЭЦҚ\AUTH_RSA256.p12`
)

// secretForm is an application with the personal data the file must hide.
func secretForm() form.Form {
	return form.Form{
		Subunit: secretSubunit,
		Date:    "2026-11-23",
		Head:    form.Head{Position: "Филиал директоры", FullName: secretHead},
		Rows: []form.Row{{
			FullName: secretName, IIN: secretIIN, IP: "10.12.0.7", UserType: 1, Operation: 1,
			AccessLevels: []string{"A"}, Position: "Бас маман", OrderFile: "бұйрық-17.pdf",
		}},
	}
}

// variants are the ways a string could sit in a file: UTF-8, lower and
// upper case, UTF-16 in both byte orders.
func variants(s string) map[string][]byte {
	out := map[string][]byte{}
	for _, v := range []string{s, strings.ToLower(s), strings.ToUpper(s)} {
		out["utf8 "+v] = []byte(v)
		u := utf16.Encode([]rune(v))
		le, be := make([]byte, 2*len(u)), make([]byte, 2*len(u))
		for i, c := range u {
			binary.LittleEndian.PutUint16(le[2*i:], c)
			binary.BigEndian.PutUint16(be[2*i:], c)
		}
		out["utf16le "+v], out["utf16be "+v] = le, be
	}
	return out
}

// leaks lists the secrets (and JSON field names, which would show clear
// JSON) found in raw.
func leaks(raw []byte) []string {
	var found []string
	for _, s := range []string{secretIIN, secretName, secretHead, secretSubunit, secretPath,
		"Гүлнұр", "Құрманғазы", "Алматы", "бұйрық", `"fullName"`, `"iin"`, `"subunit"`} {
		for name, b := range variants(s) {
			if bytes.Contains(raw, b) {
				found = append(found, name)
			}
		}
	}
	return found
}

func saveSecrets(t *testing.T, s *Store) Draft {
	t.Helper()
	d, err := s.NewDraft(secretForm())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveDraft(d); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSetting(SettingLastKeyFile, secretPath); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestCopiedFileRevealsNothing(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(filepath.Join(dir, "Kense", "kense.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	local := saveSecrets(t, s) // offline, nobody signed in
	if err := s.Unlock(secretIIN, nil); err != nil {
		t.Fatal(err)
	}
	mine := saveSecrets(t, s) // signed in: the account IIN is the row's
	// What sync keeps goes through the same codec: an outbox entry (the
	// account's key) and a sync record naming the accounts (the OS user's).
	err = s.db.Update(func(tx *bolt.Tx) error {
		e, err := s.codec.encode(bucketOutbox, []byte("e1"), struct {
			Account string    `json:"account"`
			Form    form.Form `json:"form"`
		}{secretIIN, secretForm()})
		if err != nil {
			return err
		}
		r, err := s.codec.encode(bucketSyncState, []byte(mine.ID), map[string]any{"accounts": []string{secretIIN}})
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketOutbox).Put([]byte("e1"), e); err != nil {
			return err
		}
		return tx.Bucket(bucketSyncState).Put([]byte(mine.ID), r)
	})
	if err != nil {
		t.Fatal(err)
	}

	// Copied while Kense runs, as someone at the machine would.
	raw, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if found := leaks(raw); len(found) > 0 {
		t.Fatalf("the cache file shows %d secrets in clear: %q", len(found), found)
	}

	// The same data written in clear is found by the same search, so the
	// search above can fail.
	plain, err := Open(filepath.Join(dir, "plain", "kense.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	plain.codec = jsonCodec{}
	saveSecrets(t, plain)
	plain.Close()
	praw, _ := os.ReadFile(plain.Path())
	if found := leaks(praw); len(found) < 10 {
		t.Fatalf("a clear file shows only %q: the search is broken", found)
	}

	// The copy elsewhere (another user's folder, another machine) has no
	// key: it does not open, not even with keys of its own.
	cp := filepath.Join(dir, "thief", "Kense", "kense.db")
	if err := os.MkdirAll(filepath.Dir(cp), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cp, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(cp, Options{}); !errors.Is(err, ErrKey) {
		t.Fatalf("copy opened elsewhere: %v", err)
	}
	c, err := Open(cp, Options{Locked: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Unlock(secretIIN, &keyprotect.FileKEK{Dir: filepath.Join(dir, "thief", "keys")}); !errors.Is(err, ErrKey) {
		t.Fatalf("unlock with the thief's own key file: %v", err)
	}
	if _, err := c.GetDraft(mine.ID); !errors.Is(err, ErrLocked) {
		t.Fatalf("read of the copy: %v", err)
	}

	// The owner still reads everything, after a reopen too.
	s.Close()
	s2, err := Open(s.Path(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if err := s2.Unlock(secretIIN, nil); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{local.ID, mine.ID} {
		d, err := s2.GetDraft(id)
		if err != nil || d.Form.Rows[0].IIN != secretIIN || d.Form.Subunit != secretSubunit {
			t.Fatalf("owner reads %+v, %v", d.Form, err)
		}
	}
	if v, _, err := s2.Setting(SettingLastKeyFile); v != secretPath || err != nil {
		t.Fatalf("setting %q, %v", v, err)
	}
}

func TestMetaDoesNotNameTheAccount(t *testing.T) {
	s := openTemp(t)
	if err := s.Unlock(secretIIN, nil); err != nil {
		t.Fatal(err)
	}
	var keys []string
	_ = s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).ForEach(func(k, v []byte) error {
			keys = append(keys, string(k))
			if bytes.Contains(k, []byte(secretIIN)) || bytes.Contains(v, []byte(secretIIN)) {
				t.Errorf("meta %q names the account", k)
			}
			return nil
		})
	})
	if len(keys) != 3 { // schema, local key, the account's key
		t.Fatalf("meta keys %q", keys)
	}
}

func TestOtherAccountCannotRead(t *testing.T) {
	s := openTemp(t)
	offline, err := s.NewDraft(secretForm())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Unlock("870412300100", nil); err != nil {
		t.Fatal(err)
	}
	a, err := s.NewDraft(secretForm())
	if err != nil {
		t.Fatal(err)
	}
	// Settings belong to the OS user: the sign-in screen and every
	// account read them.
	if err := s.SetSetting(SettingLastKeyFile, secretPath); err != nil {
		t.Fatal(err)
	}
	c := s.sealer()
	if v := rawGet(s, bucketSettings, []byte(SettingLastKeyFile)); !bytes.Equal(v[1:1+keyIDLen], c.local.id[:]) {
		t.Fatal("setting not sealed with the local profile's key")
	}
	if v := rawGet(s, bucketDrafts, []byte(a.ID)); !bytes.Equal(v[1:1+keyIDLen], c.active.id[:]) || c.active == c.local {
		t.Fatal("draft not sealed with the account's key")
	}
	for _, who := range []string{"880101300000", ""} { // another account, the local profile
		s.Lock()
		if err := s.Unlock(who, nil); err != nil {
			t.Fatal(err)
		}
		d, err := s.GetDraft(a.ID)
		if !errors.Is(err, ErrOtherAccount) || d.ID != "" || len(d.Form.Rows) != 0 {
			t.Fatalf("%q reads A's draft: %+v, %v", who, d, err)
		}
		if got, err := s.GetDraft(offline.ID); err != nil || got.Form.Rows[0].IIN != secretIIN {
			t.Fatalf("%q cannot read the offline draft: %v", who, err)
		}
		if v, _, err := s.Setting(SettingLastKeyFile); err != nil || v != secretPath {
			t.Fatalf("%q reads setting %q, %v", who, v, err)
		}
		if acct, ok := s.Unlocked(); !ok || acct != who {
			t.Fatalf("Unlocked() = %q, %v", acct, ok)
		}
	}
	if err := s.Unlock("870412300100", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetDraft(a.ID); err != nil {
		t.Fatalf("A again: %v", err)
	}
}

func TestWrappedKeyBoundToAccount(t *testing.T) {
	s := openTemp(t)
	for _, acct := range []string{"870412300100", "880101300000"} {
		if err := s.Unlock(acct, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Unlock("870412300100", nil); err != nil {
		t.Fatal(err)
	}
	local := s.sealer().keys[0]
	slotA, slotB := accountSlot(local, "870412300100"), accountSlot(local, "880101300000")
	// Someone with write access to the file puts A's wrapped key in B's
	// place: the account is bound into the wrap, so B does not get A's key.
	err := s.db.Update(func(tx *bolt.Tx) error {
		m := tx.Bucket(bucketMeta)
		return m.Put(slotB, bytes.Clone(m.Get(slotA)))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Unlock("880101300000", nil); !errors.Is(err, ErrKey) {
		t.Fatalf("B unlocked with A's wrapped key: %v", err)
	}
	if acct, ok := s.Unlocked(); !ok || acct != "870412300100" {
		t.Fatalf("a failed Unlock changed the state: %q %v", acct, ok)
	}
	// A record of another scheme, and a damaged one.
	for _, rec := range [][]byte{wrapRecord("dpapi", []byte{1, 2, 3}), {'w', 200}, {'x'}, wrapRecord("file", nil)} {
		if err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(slotB, rec) }); err != nil {
			t.Fatal(err)
		}
		if err := s.Unlock("880101300000", nil); !errors.Is(err, ErrKey) {
			t.Fatalf("record %q: %v", rec, err)
		}
	}
}

func TestLockedStoreRefusesEverything(t *testing.T) {
	s := openTemp(t)
	if err := s.Unlock("870412300100", nil); err != nil {
		t.Fatal(err)
	}
	d := saveSecrets(t, s)
	keys := s.sealer().keys
	raws := [][]byte{keys[0].raw, keys[1].raw}
	s.Lock()
	for i, r := range raws {
		if !bytes.Equal(r, make([]byte, dataKeyLen)) {
			t.Fatalf("key %d not wiped by Lock", i)
		}
	}
	if _, ok := s.Unlocked(); ok {
		t.Fatal("Unlocked after Lock")
	}
	_, err1 := s.GetDraft(d.ID)
	_, err2 := s.ListDrafts("")
	err3 := s.SaveDraft(d)
	_, err4 := s.NewDraft(secretForm())
	_, _, err5 := s.Setting(SettingLastKeyFile)
	err6 := s.SetSetting(SettingLanguage, "kk")
	_, err7 := s.Reseal()
	for i, err := range []error{err1, err2, err3, err4, err5, err6, err7} {
		if !errors.Is(err, ErrLocked) {
			t.Fatalf("call %d while locked: %v", i+1, err)
		}
	}
	kk, en := UserMessage(err1, i18n.KK), UserMessage(err1, i18n.EN)
	if kk == en || strings.Contains(kk, "kp.") || !strings.Contains(en, "locked") {
		t.Fatalf("message kk %q en %q", kk, en)
	}
	// Locked the encoder refuses too, should a transaction be running.
	if _, err := s.sealer().encode(bucketDrafts, []byte("x"), d); !errors.Is(err, ErrLocked) {
		t.Fatal(err)
	}
	if err := s.Unlock("870412300100", nil); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetDraft(d.ID); err != nil || got.Form.Subunit != secretSubunit {
		t.Fatal(err)
	}
}

func TestOpenLocked(t *testing.T) {
	s := openTemp(t)
	d := saveSecrets(t, s)
	path := s.Path()
	s.Close()
	s, err := Open(path, Options{Locked: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.GetDraft(d.ID); !errors.Is(err, ErrLocked) {
		t.Fatal(err)
	}
	if err := s.Unlock("", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetDraft(d.ID); err != nil {
		t.Fatal(err)
	}
}

// rawGet reads a stored value straight from the file.
func rawGet(s *Store, bucket, key []byte) []byte {
	var v []byte
	_ = s.db.View(func(tx *bolt.Tx) error { v = bytes.Clone(tx.Bucket(bucket).Get(key)); return nil })
	return v
}

func TestPlainValuesReadResealedAndCompacted(t *testing.T) {
	s := openTemp(t)
	d := Draft{ID: NewID(), Form: secretForm()}
	d.Form.ID = d.ID
	// Values as a Kense from before sealing wrote them.
	pd, _ := jsonCodec{}.encode(bucketDrafts, []byte(d.ID), d)
	ps, _ := jsonCodec{}.encode(bucketSettings, []byte(SettingLastKeyFile), secretPath)
	put := func() {
		err := s.db.Update(func(tx *bolt.Tx) error {
			if err := tx.Bucket(bucketDrafts).Put([]byte(d.ID), pd); err != nil {
				return err
			}
			return tx.Bucket(bucketSettings).Put([]byte(SettingLastKeyFile), ps)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	put()
	if got, err := s.GetDraft(d.ID); err != nil || got.Form.Rows[0].FullName != secretName {
		t.Fatalf("plain draft: %v", err)
	}
	if err := s.SaveDraft(d); err != nil { // next write seals
		t.Fatal(err)
	}
	if v := rawGet(s, bucketDrafts, []byte(d.ID)); v[0] != formatSealed {
		t.Fatalf("saved draft stored as %q", v[0])
	}
	if n, err := s.Reseal(); n != 1 || err != nil { // the setting is left
		t.Fatalf("Reseal = %d, %v", n, err)
	}
	if n, err := s.Reseal(); n != 0 || err != nil {
		t.Fatalf("second Reseal = %d, %v", n, err)
	}
	if v, _, err := s.Setting(SettingLastKeyFile); err != nil || v != secretPath {
		t.Fatalf("resealed setting %q, %v", v, err)
	}
	if rawGet(s, bucketMeta, keyNeedsCompact) == nil {
		t.Fatal("Reseal did not mark the file for compaction")
	}
	raw, _ := os.ReadFile(s.Path())
	t.Logf("after Reseal, bbolt's freed pages still hold %d clear secrets", len(leaks(raw)))

	// Open seals what it finds in clear and compacts the file.
	put()
	path := s.Path()
	s.Close()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, bk := range [][]byte{bucketDrafts, bucketSettings} {
		_ = s.db.View(func(tx *bolt.Tx) error {
			return tx.Bucket(bk).ForEach(func(k, v []byte) error {
				if v[0] != formatSealed {
					t.Errorf("%s/%s still %q after Open", bk, k, v[0])
				}
				return nil
			})
		})
	}
	if rawGet(s, bucketMeta, keyNeedsCompact) != nil {
		t.Fatal("compaction mark left after Open")
	}
	if err := s.SetSetting(SettingLanguage, "kk"); err != nil { // the new handle works
		t.Fatal(err)
	}
	s.Close()
	raw, _ = os.ReadFile(path)
	if found := leaks(raw); len(found) > 0 {
		t.Fatalf("after Open compacted: %q", found)
	}

	// Compact by hand keeps everything.
	if err := Compact(path, Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + ".compact"); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("temporary file left")
	}
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetDraft(d.ID); err != nil || got.Form.Head.FullName != secretHead {
		t.Fatalf("after Compact: %v", err)
	}
	if v, _, err := s.Setting(SettingLanguage); err != nil || v != "kk" {
		t.Fatalf("after Compact: %q %v", v, err)
	}
}

func TestCompactInUse(t *testing.T) {
	s := openTemp(t)
	if err := Compact(s.Path(), Options{Timeout: 50e6}); !errors.Is(err, ErrInUse) {
		t.Fatal(err)
	}
}

func TestTamperedValuesAreCorrupt(t *testing.T) {
	s := openTemp(t)
	d := saveSecrets(t, s)
	other, _ := s.NewDraft(secretForm())
	good := rawGet(s, bucketDrafts, []byte(d.ID))
	set := func(bucket, key, v []byte) {
		t.Helper()
		if err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucket).Put(key, v) }); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < len(good); i += max(1, len(good)/40) {
		for _, pos := range []int{i, len(good) - 1} {
			bad := bytes.Clone(good)
			bad[pos] ^= 0x01
			set(bucketDrafts, []byte(d.ID), bad)
			got, err := s.GetDraft(d.ID)
			want := ErrCorrupt
			if pos >= 1 && pos < 1+keyIDLen {
				want = ErrOtherAccount // a changed key ID names no key we have
			}
			if !errors.Is(err, want) || got.ID != "" {
				t.Fatalf("byte %d flipped: %+v, %v", pos, got.ID, err)
			}
		}
	}
	for name, v := range map[string][]byte{
		"cut": good[:sealOverhead-1], "header only": good[:sealHeader], "no tag": good[:len(good)-sealTagLen],
		"format only": {formatSealed}, "extended": append(bytes.Clone(good), 0),
	} {
		set(bucketDrafts, []byte(d.ID), v)
		if _, err := s.GetDraft(d.ID); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("%s: %v", name, err)
		}
	}
	// A sealed value moved under another key, or into another bucket.
	set(bucketDrafts, []byte(d.ID), good)
	set(bucketDrafts, []byte(other.ID), good)
	if _, err := s.GetDraft(other.ID); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("swapped value: %v", err)
	}
	set(bucketSettings, []byte(SettingLanguage), good)
	if _, _, err := s.Setting(SettingLanguage); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("value moved to settings: %v", err)
	}
	if got, err := s.GetDraft(d.ID); err != nil || got.Form.Rows[0].IIN != secretIIN {
		t.Fatal("the untouched value no longer reads", err)
	}
	l, err := s.ListDrafts("")
	if len(l) != 1 || !errors.Is(err, ErrCorrupt) {
		t.Fatalf("list %d, %v", len(l), err)
	}
}

func TestSealedValuesDiffer(t *testing.T) {
	s := openTemp(t)
	d := saveSecrets(t, s)
	a := rawGet(s, bucketDrafts, []byte(d.ID))
	if err := s.SaveDraft(d); err != nil {
		t.Fatal(err)
	}
	b := rawGet(s, bucketDrafts, []byte(d.ID))
	if bytes.Equal(a[1+keyIDLen:sealHeader], b[1+keyIDLen:sealHeader]) {
		t.Fatal("two writes share a nonce")
	}
	if !bytes.Equal(a[1:1+keyIDLen], b[1:1+keyIDLen]) {
		t.Fatal("the same key got two IDs")
	}
}

// TestLockWhileWriting runs saves, reads and lock/unlock together: every
// call succeeds or says ErrLocked, and the race detector stays quiet.
func TestLockWhileWriting(t *testing.T) {
	s := openTemp(t)
	d := saveSecrets(t, s)
	var wg sync.WaitGroup
	errs := make(chan error, 400)
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 40; i++ {
				if err := s.SaveDraft(d); err != nil && !errors.Is(err, ErrLocked) {
					errs <- err
				}
				if _, err := s.ListDrafts(""); err != nil && !errors.Is(err, ErrLocked) {
					errs <- err
				}
			}
		}()
	}
	for i := 0; i < 20; i++ {
		s.Lock()
		if err := s.Unlock("", nil); err != nil {
			errs <- err
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// A read cut short by a lock is ErrLocked wherever the store would call a
// value that does not decode damaged (TestLockWhileWriting hits it only
// when the lock lands mid-read).
func TestLockedMidReadIsNotDamage(t *testing.T) {
	locked := newErr(ErrLocked, "", errors.New("drafts/\"x\""))
	err := newErr(ErrCorrupt, "/p/kense.db", locked)
	if !errors.Is(err, ErrLocked) || errors.Is(err, ErrCorrupt) {
		t.Fatalf("a locked read reads as %v", err)
	}
	if err := newErr(ErrCorrupt, "/p/kense.db", errors.New("bad JSON")); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("real damage reads as %v", err)
	}
}
