package gost

import (
	"bytes"
	"encoding/hex"
	"testing"
)

// reversed decodes a hex string printed as a number (most significant byte
// first, as RFC 6986 prints messages and digests) into stream byte order.
func reversed(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return b
}

// RFC 6986 §10: examples M1 (63 bytes) and M2 (72 bytes), both sizes.
var rfc6986 = []struct {
	name, msg, h512, h256 string
}{
	{
		"M1",
		"323130393837363534333231303938373635343332313039383736353433323130393837363534333231303938373635343332313039383736353433323130",
		"486f64c1917879417fef082b3381a4e211c324f074654c38823a7b76f830ad00fa1fbae42b1285c0352f227524bc9ab16254288dd6863dccd5b9f54a1ad0541b",
		"00557be5e584fd52a449b16b0251d05d27f94ab76cbaa6da890b59d8ef1e159d",
	},
	{
		"M2",
		"fbe2e5f0eee3c820fbeafaebef20fffbf0e1e0f0f520e0ed20e8ece0ebe5f0f2f120fff0eeec20f120faf2fee5e2202ce8f6f3ede220e8e6eee1e8f0f2d1202ce8f0f2e5e220e5d1",
		"28fbc9bada033b1460642bdcddb90c3fb3e56c497ccd0f62b8a2ad4935e85f037613966de4ee00531ae60f3b5a47f8dae06915d5f2f194996fcabf2622e6881e",
		"508f7e553c06501d749a66fc28c6cac0b005746d97537fa85d9e40904efed29d",
	},
}

func TestStreebogRFC6986(t *testing.T) {
	for _, v := range rfc6986 {
		msg := reversed(t, v.msg)
		if v.name == "M1" && string(msg) != "012345678901234567890123456789012345678901234567890123456789012" {
			t.Fatalf("M1 decodes to %q", msg)
		}
		got512 := Sum512(msg)
		if want := reversed(t, v.h512); !bytes.Equal(got512[:], want) {
			t.Errorf("%s Streebog-512 = %x, want %x", v.name, got512, want)
		}
		got256 := Sum256(msg)
		if want := reversed(t, v.h256); !bytes.Equal(got256[:], want) {
			t.Errorf("%s Streebog-256 = %x, want %x", v.name, got256, want)
		}
	}
}

// tau is the byte permutation of RFC 6986 §6.3 (the transposition of the
// block as an 8×8 byte matrix); lps has it built into its table.
var tau = func() (t [64]byte) {
	for i := range t {
		t[i] = byte(8*(i%8) + i/8)
	}
	return t
}()

// refLPS is the textbook S, P and L of RFC 6986 §6, bit by bit, to check the
// table that lps uses.
func refLPS(in [64]byte) (out [64]byte) {
	var s, p [64]byte
	for i := range in {
		s[i] = pi[in[i]]
	}
	for i := range s {
		p[i] = s[tau[i]]
	}
	for w := 0; w < 8; w++ {
		var word, res uint64
		for j := 7; j >= 0; j-- {
			word = word<<8 | uint64(p[8*w+j])
		}
		for k := 0; k < 64; k++ {
			if word>>(63-k)&1 == 1 {
				res ^= matrixA[k]
			}
		}
		for j := 0; j < 8; j++ {
			out[8*w+j] = byte(res >> (8 * j))
		}
	}
	return out
}

func TestLPSTable(t *testing.T) {
	var in [64]byte
	for round := 0; round < 50; round++ {
		for i := range in {
			in[i] = byte(i*37 + round*101 + i*i*round)
		}
		b := loadBlock(in[:])
		got := lps(&b)
		want := loadBlock(func() []byte { o := refLPS(in); return o[:] }())
		if got != want {
			t.Fatalf("round %d: table LPS differs from reference", round)
		}
	}
}

func TestStreebogIncremental(t *testing.T) {
	msg := make([]byte, 300)
	for i := range msg {
		msg[i] = byte(i * 7)
	}
	for _, n := range []int{0, 1, 63, 64, 65, 127, 128, 129, 300} {
		want := Sum512(msg[:n])
		d := New512()
		for i := 0; i < n; i += 5 {
			d.Write(msg[i:min(i+5, n)])
		}
		if got := d.Sum(nil); !bytes.Equal(got, want[:]) {
			t.Errorf("len %d: incremental %x != one-shot %x", n, got, want)
		}
		// Sum must not disturb the state.
		d.Write([]byte("x"))
		want2 := Sum512(append(append([]byte{}, msg[:n]...), 'x'))
		if got := d.Sum(nil); !bytes.Equal(got, want2[:]) {
			t.Errorf("len %d: writing after Sum gave a wrong digest", n)
		}
	}
	d := New256()
	d.Write(msg)
	d.Reset()
	if got, want := d.Sum(nil), Sum256(nil); !bytes.Equal(got, want[:]) || d.Size() != 32 || d.BlockSize() != 64 {
		t.Error("Reset did not restore the Streebog-256 initial state")
	}
}

func FuzzStreebog(f *testing.F) {
	f.Add([]byte("012345678901234567890123456789012345678901234567890123456789012"), uint8(3))
	f.Add(make([]byte, 64), uint8(64))
	f.Add([]byte{}, uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, step uint8) {
		chunk := int(step)%70 + 1
		for _, newH := range []func() *Digest{New512, New256} {
			one := newH()
			one.Write(data)
			inc := newH()
			for i := 0; i < len(data); i += chunk {
				inc.Write(data[i:min(i+chunk, len(data))])
			}
			if !bytes.Equal(one.Sum(nil), inc.Sum(nil)) {
				t.Fatalf("chunked writes (%d) differ from one-shot", chunk)
			}
		}
	})
}
