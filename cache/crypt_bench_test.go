package cache

import (
	"fmt"
	"testing"
)

// BenchmarkSaveDraftSealing is one autosave of a 50-row draft (encode,
// write, fsync) with the values sealed (what Open does) and in clear (the
// codec before issue 5): the difference is the cost of sealing.
func BenchmarkSaveDraftSealing(b *testing.B) {
	for _, sealed := range []bool{false, true} {
		b.Run(map[bool]string{false: "plain", true: "sealed"}[sealed], func(b *testing.B) {
			s := openTemp(b)
			if !sealed {
				s.codec = jsonCodec{}
			}
			d, err := s.NewDraft(sampleForm("Алматы облысы бойынша филиал", 50, 870412300100))
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for b.Loop() {
				d.Form.Rows[n%50].IP = fmt.Sprintf("10.0.0.%d", n%250)
				n++
				if err := s.SaveDraft(d); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCodecSealing is the codec alone, without the disk: encode and
// decode of a 50-row draft, in clear and sealed.
func BenchmarkCodecSealing(b *testing.B) {
	k, err := newDataKey(make([]byte, dataKeyLen))
	if err != nil {
		b.Fatal(err)
	}
	sc := &sealCodec{}
	sc.set(k, k, []*dataKey{k}, "")
	d := Draft{ID: "abc", Form: sampleForm("Алматы облысы бойынша филиал", 50, 870412300100)}
	d.Form.ID = d.ID
	for _, c := range []struct {
		name  string
		codec valueCodec
	}{{"plain", jsonCodec{}}, {"sealed", sc}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				v, err := c.codec.encode(bucketDrafts, []byte(d.ID), d)
				if err != nil {
					b.Fatal(err)
				}
				var got Draft
				if err := c.codec.decode(bucketDrafts, []byte(d.ID), v, &got); err != nil {
					b.Fatal(err)
				}
				b.SetBytes(int64(len(v)))
			}
		})
	}
}

// BenchmarkSealOnly is the AES-256-GCM part alone: seal and open of a
// 50-row draft's JSON, without the JSON work.
func BenchmarkSealOnly(b *testing.B) {
	k, err := newDataKey(make([]byte, dataKeyLen))
	if err != nil {
		b.Fatal(err)
	}
	plain, _ := jsonCodec{}.encode(nil, nil, sampleForm("Алматы облысы бойынша филиал", 50, 870412300100))
	nonce := make([]byte, sealNonceLen)
	aad := sealAAD(bucketDrafts, []byte("abc"), k.id[:])
	b.SetBytes(int64(len(plain)))
	for b.Loop() {
		ct := k.aead.Seal(nil, nonce, plain, aad)
		if _, err := k.aead.Open(ct[:0], nonce, ct, aad); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUnlock is loading an account's key: one meta read and one
// unwrap (the key file on Linux, DPAPI on Windows).
func BenchmarkUnlock(b *testing.B) {
	s := openTemp(b)
	if err := s.Unlock("870412300100", nil); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := s.Unlock("870412300100", nil); err != nil {
			b.Fatal(err)
		}
	}
}
