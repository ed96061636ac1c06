package cache

import (
	"errors"
	"testing"
)

// FuzzDecode feeds arbitrary stored bytes to the value decoders: whatever
// is in the file, reading it gives a value or ErrCorrupt, never a panic.
func FuzzDecode(f *testing.F) {
	s := &Store{codec: jsonCodec{}, path: "fuzz.db"}
	d := Draft{ID: "abc", Form: sampleForm("Қостанай филиалы", 3, 880101300000)}
	d.Form.ID = d.ID
	good, err := s.codec.encode(bucketDrafts, []byte(d.ID), d)
	if err != nil {
		f.Fatal(err)
	}
	setting, _ := s.codec.encode(bucketSettings, []byte("language"), "kk")
	for _, seed := range [][]byte{
		good, good[:len(good)/2], setting, nil, {}, {'j'}, []byte("j{}"), []byte("jnull"),
		[]byte(`j{"id":"abc","form":{"id":"abc","rows":[null,{"accessLevels":[1]}]}}`),
		[]byte(`j{"id":"abc","form":{"id":"abc"},"created":"not a time"}`),
		[]byte(`s` + string(good[1:])), []byte("\x00\xff\xfe"),
	} {
		f.Add([]byte("abc"), seed)
	}
	f.Fuzz(func(t *testing.T, key, data []byte) {
		d, err := s.decodeDraft(key, data)
		switch {
		case data == nil && !errors.Is(err, ErrNotFound):
			t.Fatalf("nil value: %v", err)
		case err != nil && data != nil && !errors.Is(err, ErrCorrupt):
			t.Fatalf("error of the wrong kind: %v", err)
		case err == nil:
			if d.ID != string(key) || d.Form.ID != d.ID {
				t.Fatalf("decoded draft %q under key %q", d.ID, key)
			}
			// What decodes must survive a write and a read.
			b, err := s.codec.encode(bucketDrafts, key, d)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.decodeDraft(key, b); err != nil {
				t.Fatalf("re-encoded draft does not decode: %v", err)
			}
		}
		var v string
		_ = s.codec.decode(bucketSettings, key, data, &v)
		var h draftHead // what ListDrafts reads
		if s.codec.decode(bucketDrafts, key, data, &h) == nil && err == nil && h.summary().Rows != len(d.Form.Rows) {
			t.Fatalf("list sees %d rows, draft has %d", h.summary().Rows, len(d.Form.Rows))
		}
	})
}
