package cache

import (
	"bytes"
	"errors"
	"testing"
)

// fuzzSealStore is a store whose codec seals with a fixed key, for
// decoding without a file.
func fuzzSealStore(f *testing.F) *Store {
	k, err := newDataKey(bytes.Repeat([]byte{7}, dataKeyLen))
	if err != nil {
		f.Fatal(err)
	}
	c := &sealCodec{}
	c.set(k, k, []*dataKey{k}, "")
	return &Store{codec: c, path: "fuzz.db"}
}

// FuzzSealedDecode feeds arbitrary stored bytes, seeded with sealed
// values and their damaged forms, to the sealing codec: the result is a
// draft stored under its own key or ErrCorrupt, never a panic, and a
// sealed value that reads stops reading when its last byte changes.
func FuzzSealedDecode(f *testing.F) {
	s := fuzzSealStore(f)
	d := Draft{ID: "abc", Form: sampleForm("Қостанай филиалы", 3, 921029350851)}
	d.Form.ID = d.ID
	good, err := s.codec.encode(bucketDrafts, []byte(d.ID), d)
	if err != nil {
		f.Fatal(err)
	}
	setting, _ := s.codec.encode(bucketSettings, []byte("language"), "kk")
	empty, _ := s.codec.encode(bucketDrafts, []byte("abc"), map[string]any{})
	flipped := bytes.Clone(good)
	flipped[len(flipped)/2] ^= 0x80
	plain, _ := jsonCodec{}.encode(bucketDrafts, []byte(d.ID), d)
	for _, seed := range [][]byte{
		good, setting, empty, flipped, plain, good[:sealOverhead], good[:sealHeader], good[:len(good)-1],
		append(bytes.Clone(good), 'x'), {formatSealed}, append([]byte{formatSealed}, make([]byte, 40)...),
		nil, {}, []byte("\x00\xff\xfe"),
	} {
		f.Add([]byte("abc"), seed)
	}
	f.Fuzz(func(t *testing.T, key, data []byte) {
		got, err := s.decodeDraft(key, data)
		switch {
		case data == nil && !errors.Is(err, ErrNotFound):
			t.Fatalf("nil value: %v", err)
		case err != nil && data != nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrOtherAccount):
			t.Fatalf("error of the wrong kind: %v", err)
		case err == nil:
			if got.ID != string(key) || got.Form.ID != got.ID {
				t.Fatalf("decoded draft %q under key %q", got.ID, key)
			}
			b, err := s.codec.encode(bucketDrafts, key, got)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.decodeDraft(key, b); err != nil {
				t.Fatalf("re-sealed draft does not decode: %v", err)
			}
			if data[0] == formatSealed {
				bad := bytes.Clone(data)
				bad[len(bad)-1] ^= 1
				if _, err := s.decodeDraft(key, bad); !errors.Is(err, ErrCorrupt) {
					t.Fatalf("changed tag accepted: %v", err)
				}
			}
		}
		var v string
		_ = s.codec.decode(bucketSettings, key, data, &v)
		var h draftHead
		_ = s.codec.decode(bucketDrafts, key, data, &h)
	})
}
