package cache

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"kense/form"
	"kense/i18n"
)

// sampleForm is a filled-in application with n rows and Kazakh text.
func sampleForm(subunit string, n int, iinBase int64) form.Form {
	f := form.Form{
		Subunit:         subunit,
		Date:            "2026-11-23",
		AttachmentPages: 3,
		Head:            form.Head{Position: "Бөлім басшысы", FullName: "Әбілқасымова Гүлнұр Сәрсенқызы"},
	}
	for i := 0; i < n; i++ {
		f.Rows = append(f.Rows, form.Row{
			FullName:     fmt.Sprintf("Құрманғазы Ұлан Өтегенұлы %d", i),
			IIN:          fmt.Sprintf("%012d", iinBase+int64(i)),
			IP:           fmt.Sprintf("10.12.%d.%d", i/250, i%250+1),
			UserType:     1 + i%2,
			Operation:    1 + i%13,
			AccessLevels: []string{"A", "B"}[:1+i%2],
			Position:     "Жетекші маман (ведущий специалист)",
			OrderFile:    fmt.Sprintf("бұйрық-%d.pdf", i),
		})
	}
	return f
}

func openTemp(t testing.TB) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "Kense", "kense.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// reopen closes s and opens its file again, so reads come from disk.
func reopen(t *testing.T, s *Store) *Store {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(s.Path(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s2.Close() })
	return s2
}

func TestOpenCreatesPrivateDirAndFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "Kense")
	s, err := Open(filepath.Join(dir, "kense.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Path() != filepath.Join(dir, "kense.db") {
		t.Fatalf("Path = %q", s.Path())
	}
	if os.PathSeparator == '/' { // Windows has ACLs, not mode bits
		di, _ := os.Stat(dir)
		fi, _ := os.Stat(s.Path())
		if di.Mode().Perm()&0o077 != 0 || fi.Mode().Perm()&0o077 != 0 {
			t.Fatalf("dir %v, file %v: readable by others", di.Mode(), fi.Mode())
		}
	}
	if err := s.view(func(tx *bolt.Tx) error {
		if v := string(tx.Bucket(bucketMeta).Get(keySchema)); v != "1" {
			return fmt.Errorf("schema %q", v)
		}
		for _, b := range allBuckets {
			if tx.Bucket(b) == nil {
				return fmt.Errorf("no bucket %s", b)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func TestDefaultPath(t *testing.T) {
	cfg, err := os.UserConfigDir()
	if err != nil {
		t.Skip("no user config dir:", err)
	}
	p, err := DefaultPath()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(cfg, "Kense", "kense.db"); p != want {
		t.Fatalf("DefaultPath = %q, want %q", p, want)
	}
}

func TestDraftRoundTrip(t *testing.T) {
	s := openTemp(t)
	f := sampleForm(`"Азаматтарға арналған үкімет" МК Алматы облысы бойынша филиалы`, 120, 900101300000)
	f.ID = "ignored"
	d, err := s.NewDraft(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.ID) != 32 || d.Form.ID != d.ID || d.Created.IsZero() || !d.Updated.Equal(d.Created) {
		t.Fatalf("new draft: %+v", d)
	}
	s = reopen(t, s)
	got, err := s.GetDraft(d.ID)
	if err != nil {
		t.Fatal(err)
	}
	f.ID = d.ID
	if !reflect.DeepEqual(got.Form, f) {
		t.Fatalf("form changed on the way:\n got %+v\nwant %+v", got.Form.Rows[0], f.Rows[0])
	}
	if form.HashHex(got.Form) != form.HashHex(f) {
		t.Fatal("canonical hash changed")
	}

	// SaveDraft keeps Created, moves Updated.
	s.now = func() time.Time { return d.Updated.Add(time.Hour) }
	got.Form.Rows[7].FullName = "Ғабиден Ұлжан Ілиясқызы"
	got.Created = time.Time{}
	if err := s.SaveDraft(got); err != nil {
		t.Fatal(err)
	}
	again, err := s.GetDraft(d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.Form.Rows[7].FullName != "Ғабиден Ұлжан Ілиясқызы" || !again.Created.Equal(d.Created) ||
		!again.Updated.Equal(d.Updated.Add(time.Hour)) {
		t.Fatalf("after save: %+v / %v / %v", again.Form.Rows[7], again.Created, again.Updated)
	}

	if _, err := s.GetDraft("nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing draft: %v", err)
	}
}

func TestSaveDraftChecksIDs(t *testing.T) {
	s := openTemp(t)
	for _, d := range []Draft{
		{},
		{ID: "a/b"},
		{ID: strings.Repeat("a", 65)},
		{ID: "abc", Form: form.Form{ID: "abd"}},
	} {
		if err := s.SaveDraft(d); !errors.Is(err, ErrBadID) {
			t.Errorf("SaveDraft(%q, %q) = %v, want ErrBadID", d.ID, d.Form.ID, err)
		}
	}
	// A UI-made ID with an empty Form.ID is fine and creates the draft.
	if err := s.SaveDraft(Draft{ID: "3f2a-UI_made", Form: sampleForm("x", 1, 1)}); err != nil {
		t.Fatal(err)
	}
	d, err := s.GetDraft("3f2a-UI_made")
	if err != nil || d.Form.ID != d.ID || d.Created.IsZero() {
		t.Fatalf("%+v %v", d, err)
	}
}

func ids(sums []Summary) []string {
	var out []string
	for _, s := range sums {
		out = append(out, s.ID)
	}
	return out
}

func TestListAndSearch(t *testing.T) {
	s := openTemp(t)
	base := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	tick := 0
	s.now = func() time.Time { tick++; return base.Add(time.Duration(tick) * time.Minute) }

	almaty, _ := s.NewDraft(sampleForm("ҚАЗАҚСТАН Алматы филиалы", 3, 870412300100))
	astana, _ := s.NewDraft(sampleForm("Астана қаласы бойынша филиал", 2, 920101400200))
	shym, _ := s.NewDraft(sampleForm("Филиал по городу Шымкент", 1, 760505500300))
	empty, _ := s.NewDraft(form.Form{})

	all, err := s.ListDrafts("")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{empty.ID, shym.ID, astana.ID, almaty.ID}; !reflect.DeepEqual(ids(all), want) {
		t.Fatalf("newest first: got %v want %v", ids(all), want)
	}
	if sum := all[3]; sum.Subunit != "ҚАЗАҚСТАН Алматы филиалы" || sum.Rows != 3 ||
		!reflect.DeepEqual(sum.IINs, []string{"870412300100", "870412300101", "870412300102"}) || !sum.Updated.Equal(almaty.Updated) {
		t.Fatalf("summary: %+v", sum)
	}

	// Saving moves a draft to the top.
	if err := s.SaveDraft(almaty); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string][]string{
		"қазақстан":    {almaty.ID}, // Kazakh capitals folded
		"  АСТАНА ":    {astana.ID},
		"филиал":       {almaty.ID, shym.ID, astana.ID},
		"ШЫМКЕНТ":      {shym.ID},
		"8704123001":   {almaty.ID}, // IIN prefix
		"920101 400":   {astana.ID}, // spaces typed in the IIN
		"760505500300": {shym.ID},
		"300100":       nil, // not a prefix of any IIN
		"Берлин":       nil,
	} {
		got, err := s.ListDrafts(q)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(ids(got), want) {
			t.Errorf("ListDrafts(%q) = %v, want %v", q, ids(got), want)
		}
	}
}

func TestDuplicate(t *testing.T) {
	s := openTemp(t)
	d, _ := s.NewDraft(sampleForm("Қарағанды филиалы", 5, 850101000000))
	c, err := s.DuplicateDraft(d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.ID == d.ID || c.Form.ID != c.ID || c.Form.Subunit != d.Form.Subunit {
		t.Fatalf("copy %+v", c)
	}
	got, err := s.GetDraft(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	got.Form.ID, d.Form.ID = "", ""
	if !reflect.DeepEqual(got.Form, d.Form) {
		t.Fatal("copy's content differs")
	}
	// The copy shares nothing: changing it leaves the original alone.
	got.Form.ID = c.ID
	got.Form.Rows[0].AccessLevels[0] = "Z"
	if err := s.SaveDraft(got); err != nil {
		t.Fatal(err)
	}
	orig, _ := s.GetDraft(d.ID)
	if orig.Form.Rows[0].AccessLevels[0] != "A" {
		t.Fatal("original changed with the copy")
	}
	if list, _ := s.ListDrafts(""); len(list) != 2 {
		t.Fatalf("%d drafts", len(list))
	}
	if _, err := s.DuplicateDraft("missing"); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
}

func TestDeleteUndoPurge(t *testing.T) {
	s := openTemp(t)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	keep, _ := s.NewDraft(sampleForm("Қалады", 1, 1))
	gone, _ := s.NewDraft(sampleForm("Жойылады", 1, 2))
	young, _ := s.NewDraft(sampleForm("Жақында жойылды", 1, 3))

	if err := s.DeleteDraft(gone.ID); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.ListDrafts(""); !reflect.DeepEqual(ids(list), []string{keep.ID, young.ID}) &&
		!reflect.DeepEqual(ids(list), []string{young.ID, keep.ID}) {
		t.Fatalf("deleted draft still listed: %v", ids(list))
	}
	bin, _ := s.ListDeleted("")
	if len(bin) != 1 || bin[0].ID != gone.ID || !bin[0].Deleted.Equal(now) {
		t.Fatalf("bin: %+v", bin)
	}
	// A late autosave of a deleted draft keeps it in the bin.
	if err := s.SaveDraft(gone); err != nil {
		t.Fatal(err)
	}
	if d, _ := s.GetDraft(gone.ID); d.Deleted.IsZero() {
		t.Fatal("SaveDraft took the draft out of the bin")
	}
	if err := s.UndoDelete(gone.ID); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.ListDrafts(""); len(list) != 3 {
		t.Fatalf("undo: %d drafts", len(list))
	}

	if err := s.DeleteDraft(gone.ID); err != nil {
		t.Fatal(err)
	}
	now = now.Add(48 * time.Hour)
	if err := s.DeleteDraft(young.ID); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Hour)
	if err := s.PurgeDeleted(24 * time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetDraft(gone.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("old bin entry not purged: %v", err)
	}
	if d, err := s.GetDraft(young.ID); err != nil || d.Deleted.IsZero() {
		t.Fatalf("young bin entry purged: %v", err)
	}
	if err := s.PurgeDeleted(0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetDraft(young.ID); !errors.Is(err, ErrNotFound) {
		t.Fatal("PurgeDeleted(0) left the bin")
	}
	if _, err := s.GetDraft(keep.ID); err != nil {
		t.Fatal("purge removed a live draft:", err)
	}
	for _, err := range []error{s.DeleteDraft("missing"), s.UndoDelete("missing")} {
		if !errors.Is(err, ErrNotFound) {
			t.Fatal(err)
		}
	}
}

func TestSettings(t *testing.T) {
	s := openTemp(t)
	if _, ok, err := s.Setting(SettingLanguage); ok || err != nil {
		t.Fatalf("unset: %v %v", ok, err)
	}
	keyPath := filepath.Join(`C:\Users\Әлия\Documents`, "AUTH_RSA256_ключ.p12")
	if err := s.SetSetting(SettingLanguage, "kk"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSetting(SettingLastKeyFile, keyPath); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s)
	if v, ok, err := s.Setting(SettingLastKeyFile); v != keyPath || !ok || err != nil {
		t.Fatalf("%q %v %v", v, ok, err)
	}
	if err := s.SetSetting(SettingLanguage, "ru"); err != nil {
		t.Fatal(err)
	}
	if v, _, _ := s.Setting(SettingLanguage); v != "ru" {
		t.Fatalf("language %q", v)
	}
	if err := s.DeleteSetting(SettingLanguage); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Setting(SettingLanguage); ok {
		t.Fatal("deleted setting still there")
	}
	if err := s.SetSetting("", "x"); !errors.Is(err, ErrBadSetting) {
		t.Fatal(err)
	}
}

// rawPut writes bytes straight into the file, as damage would.
func rawPut(t *testing.T, path string, bucket, key, val []byte) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucket).Put(key, val) }); err != nil {
		t.Fatal(err)
	}
}

func TestCorruptValues(t *testing.T) {
	s := openTemp(t)
	good, _ := s.NewDraft(sampleForm("Сау", 2, 10))
	bad, _ := s.NewDraft(sampleForm("Зақымдалған", 2, 20))
	if err := s.SetSetting("language", "kk"); err != nil {
		t.Fatal(err)
	}
	path := s.Path()
	s.Close()
	rawPut(t, path, bucketDrafts, []byte(bad.ID), []byte(`j{"id":"`+bad.ID+`","form":{"rows":[{"fullName":`))
	rawPut(t, path, bucketDrafts, []byte("other"), []byte(`j{"id":"someone-else","form":{"id":"someone-else"}}`))
	rawPut(t, path, bucketSettings, []byte("language"), []byte("\x00\x01"))

	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.GetDraft(bad.ID); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("truncated JSON: %v", err)
	}
	if _, err := s.GetDraft("other"); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("draft under a foreign key: %v", err)
	}
	list, err := s.ListDrafts("")
	if !errors.Is(err, ErrCorrupt) || len(list) != 1 || list[0].ID != good.ID {
		t.Fatalf("list with damage: %v %v", ids(list), err)
	}
	if _, _, err := s.Setting("language"); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("setting: %v", err)
	}
	// Saving over a damaged draft repairs it.
	bad.Form.Subunit = "Жөнделді"
	if err := s.SaveDraft(bad); err != nil {
		t.Fatal(err)
	}
	if d, err := s.GetDraft(bad.ID); err != nil || d.Form.Subunit != "Жөнделді" {
		t.Fatalf("%+v %v", d, err)
	}
}

func TestCorruptFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kense.db")
	junk := make([]byte, 64<<10)
	for i := range junk {
		junk[i] = byte(i*7 + i>>8)
	}
	if err := os.WriteFile(path, junk, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(path, Options{})
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("junk file: %v", err)
	}
	if msg := UserMessage(err, i18n.RU); !strings.Contains(msg, path) || !strings.Contains(msg, "повреждён") {
		t.Fatalf("message %q", msg)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	s := openTemp(t)
	path := s.Path()
	s.Close()
	rawPut(t, path, bucketMeta, keySchema, []byte("2"))
	if _, err := Open(path, Options{}); !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("schema 2: %v", err)
	}
	rawPut(t, path, bucketMeta, keySchema, []byte("two"))
	if _, err := Open(path, Options{}); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("schema two: %v", err)
	}
}

func TestClosedStore(t *testing.T) {
	s := openTemp(t)
	s.Close()
	if _, err := s.ListDrafts(""); !errors.Is(err, ErrClosed) {
		t.Fatal(err)
	}
	if err := s.SaveDraft(Draft{ID: "a"}); !errors.Is(err, ErrClosed) {
		t.Fatal(err)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	// A file where the folder should be.
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(filepath.Join(blocker, "kense.db"), Options{}); !errors.Is(err, ErrOpen) {
		t.Fatalf("%v", err)
	}
	if _, err := Open("", Options{}); !errors.Is(err, ErrOpen) {
		t.Fatalf("%v", err)
	}
}

// Every key the package can return has a real text in every language.
func TestMessagesTranslated(t *testing.T) {
	all := []*Error{ErrInUse, ErrNotFound, ErrCorrupt, ErrNewerSchema, ErrClosed, ErrOpen,
		ErrWrite, ErrRead, ErrBadID, ErrBadSetting}
	for _, l := range i18n.Langs {
		for _, e := range all {
			if !i18n.Has(l, e.Key) {
				t.Errorf("%s: no %s", l, e.Key)
			}
		}
		for _, k := range []string{"cache.err.unexpected", "cache.autosave.saved", "cache.autosave.unsaved", "cache.autosave.failed"} {
			if !i18n.Has(l, k) {
				t.Errorf("%s: no %s", l, k)
			}
		}
	}
	e := newErr(ErrInUse, `C:\Users\a\AppData\Roaming\Kense\kense.db`, errors.New("timeout"))
	if msg := e.UserMessage(i18n.KK); !strings.Contains(msg, "әлдеқашан ашық") {
		t.Errorf("kk: %q", msg)
	}
	if msg := UserMessage(fmt.Errorf("ui: %w", e), i18n.EN); !strings.Contains(msg, "already open") {
		t.Errorf("wrapped: %q", msg)
	}
	if msg := UserMessage(errors.New("boom"), i18n.RU); !strings.Contains(msg, "boom") || !strings.Contains(msg, "Непредвиденная") {
		t.Errorf("foreign error: %q", msg)
	}
	if !errors.Is(e, ErrInUse) || errors.Is(e, ErrCorrupt) {
		t.Error("errors.Is by key")
	}
	if !strings.Contains(e.Error(), "timeout") {
		t.Errorf("Error() lost the cause: %q", e.Error())
	}
}
