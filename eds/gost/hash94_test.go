package gost

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

// GOST R 34.11-94 with the test parameter set: the examples of RFC 5831
// §7.3.1 and the published test values (the same digests come out of
// Nettle's gosthash94, an independent implementation).
var hash94Vectors = []struct{ msg, digest string }{
	{"", "ce85b99cc46752fffee35cab9a7b0278abb4c2d2055cff685af4912c49490f8d"},
	{"a", "d42c539e367c66e9c88a801f6649349c21871b4344c6a573f849fdce62f314dd"},
	{"abc", "f3134348c44fb1b2a277729e2285ebb5cb5e0f29c975bc753b70497c06a4d51d"},
	{"message digest", "ad4434ecb18f2c99b60cbe59ec3d2469582b65273f48de72db2fde16a4889a4d"},
	{"The quick brown fox jumps over the lazy dog", "77b7fa410c9ac58a25f49bca7d0468c9296529315eaca76bd1a10f376d1f4294"},
	{"This is message, length=32 bytes", "b1c466d37519b82e8319819ff32595e047a28cb6f83eff1c6916a815a637fffa"},
	{"Suppose the original message has length = 50 bytes", "471aba57a60a770d3a76130635c1fbea4ef14de51f78b4ae57dd893b62f55208"},
	{strings.Repeat("U", 128), "53a3a3ed25180cef0c1d85a074273e551c25660a87062a52d926a9e8fe5733a4"},
}

func TestHash94Vectors(t *testing.T) {
	for _, v := range hash94Vectors {
		got := Sum94([]byte(v.msg))
		if hex.EncodeToString(got[:]) != v.digest {
			t.Errorf("GOST R 34.11-94(%q) = %x, want %s", v.msg, got, v.digest)
		}
		d := New94()
		for i := 0; i < len(v.msg); i += 7 {
			d.Write([]byte(v.msg[i:min(i+7, len(v.msg))]))
		}
		if !bytes.Equal(d.Sum(nil), got[:]) {
			t.Errorf("%q: chunked writes differ", v.msg)
		}
	}
	d := New94()
	d.Write([]byte("junk"))
	d.Reset()
	if got, want := d.Sum(nil), Sum94(nil); !bytes.Equal(got, want[:]) || d.Size() != 32 || d.BlockSize() != 32 {
		t.Error("Reset did not restore the initial state")
	}
}

func FuzzHash94(f *testing.F) {
	f.Add([]byte("This is message, length=32 bytes"), uint8(5))
	f.Fuzz(func(t *testing.T, data []byte, step uint8) {
		chunk := int(step)%40 + 1
		d := New94()
		for i := 0; i < len(data); i += chunk {
			d.Write(data[i:min(i+chunk, len(data))])
		}
		want := Sum94(data)
		if !bytes.Equal(d.Sum(nil), want[:]) {
			t.Fatal("chunked writes differ from one-shot")
		}
	})
}
