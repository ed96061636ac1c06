package eds

import (
	"bytes"
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// toIndefinite re-encodes DER the way NCALayer and NCA's files use BER:
// every constructed element with an indefinite length, octet strings chunked.
func toIndefinite(t testing.TB, der []byte) []byte {
	t.Helper()
	n, rest, err := parseBER(der)
	if err != nil || len(rest) > 0 {
		t.Fatalf("toIndefinite: %v", err)
	}
	var enc func(*berNode) []byte
	enc = func(n *berNode) []byte {
		if !n.constructed {
			if n.class == 0 && n.tag == 4 && len(n.content) > 3 {
				return berOctets(n.content)
			}
			return appendTLV(nil, n.class, false, n.tag, n.content)
		}
		first := n.class<<6 | 0x20 | byte(n.tag)
		var kids [][]byte
		for _, c := range n.children {
			kids = append(kids, enc(c))
		}
		return berTag(first, kids...)
	}
	return enc(n)
}

func TestBERNormaliser(t *testing.T) {
	for name, tc := range map[string]struct{ in, want string }{
		"indefinite seq":     {"30800201010000", "3003020101"},
		"chunked octets":     {"2480040161040262630000", "0403616263"},
		"nested":             {"3080308004010000000000", "30053003040100"},
		"long form":          {"30820003020105", "3003020105"},
		"high tag":           {"bf1f03020101", "bf1f03020101"},
		"chunked bit string": {"2380030200ff030200aa0000", "030300ffaa"},
	} {
		in := mustHex(tc.in)
		got, err := berToDER(in)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if want := mustHex(tc.want); !bytes.Equal(got, want) {
			t.Errorf("%s: got %x, want %x", name, got, want)
		}
	}
	for name, in := range map[string]string{
		"truncated":          "3080020101",
		"indefinite prim":    "0480000000",
		"length beyond":      "300502",
		"trailing":           "300002",
		"too long length":    "3085ffffffffff",
		"unterminated":       "3080",
		"bad high tag":       "1f8080808080",
		"length 4 gigabytes": "3084ffffffff00",
	} {
		if _, err := berToDER(mustHex(in)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	deep := bytes.Repeat([]byte{0x30, 0x80}, maxBERDepth+2)
	if _, err := berToDER(deep); err == nil {
		t.Error("deep nesting accepted")
	}
}

func mustHex(s string) []byte {
	b := make([]byte, len(s)/2)
	for i := range b {
		var v byte
		for _, c := range s[2*i : 2*i+2] {
			v <<= 4
			switch {
			case c >= '0' && c <= '9':
				v |= byte(c - '0')
			default:
				v |= byte(c-'a') + 10
			}
		}
		b[i] = v
	}
	return b
}

func TestParseCMSBER(t *testing.T) {
	ca, leaf, key := testPKI(t, EKUAuth)
	cms, err := (&keySigner{key: key, cert: leaf}).SignCMS(bytes.Repeat([]byte("data "), 500), false, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ber := toIndefinite(t, cms)
	if bytes.Equal(ber, cms) || !bytes.HasPrefix(ber, []byte{0x30, 0x80}) {
		t.Fatal("BER form not made")
	}
	v := &Verifier{Anchors: []*x509.Certificate{ca.Cert}, Policy: RevocationOff}
	for name, b := range map[string][]byte{"DER": cms, "BER": ber} {
		r, err := v.VerifyCMS(b, nil, EKUAuth)
		if err != nil || r.Signer.IIN != "880101300123" {
			t.Errorf("%s: %v", name, err)
		}
	}
	sd, err := ParseCMS(ber)
	if err != nil || len(sd.Content) != 2500 || len(sd.Certificates) != 1 || sd.Signers[0].Cert == nil {
		t.Fatalf("parse: %v", err)
	}
	// A flipped signature bit is a bad signature, not a parse error.
	bad := append([]byte(nil), cms...)
	bad[len(bad)-5] ^= 0x10
	if _, err := v.VerifyCMS(bad, nil, ""); code(err) != CodeBadSignature {
		t.Errorf("flipped signature: %v", err)
	}
	for _, junk := range [][]byte{nil, []byte("MIIB"), cms[:100], leaf.Raw} {
		if _, err := ParseCMS(junk); code(err) != CodeBadCMS {
			t.Errorf("junk: %v", err)
		}
	}
}

func seedFiles(f *testing.F, dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if b, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil {
			f.Add(b)
		}
	}
}

func FuzzBERToDER(f *testing.F) {
	for _, s := range []string{"3080020101000000", "24800401610402626300000000", "bf1f03020101", "3082000130"} {
		f.Add(mustHex(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		der, err := berToDER(b)
		if err != nil {
			return
		}
		again, err := berToDER(der)
		if err != nil || !bytes.Equal(again, der) {
			t.Fatalf("not idempotent: %x -> %x -> %x (%v)", b, der, again, err)
		}
	})
}

func FuzzReadPKCS12(f *testing.F) {
	if d := fuzzNCADir(); d != "" {
		seedFiles(f, filepath.Join(d, "keys"))
	}
	f.Add([]byte{0x30, 0x80, 0x02, 0x01, 0x03, 0x00, 0x00})
	_, leaf, key := testPKI(f, EKUSign)
	if p12, err := EncodePKCS12(key, leaf, nil, []byte("Qwerty12")); err == nil {
		f.Add(p12) // our own indefinite-length form
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ReadPKCS12(b, []byte("Qwerty12"))
		if err == nil && len(c.Keys) == 0 {
			t.Fatal("no error and no keys")
		}
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
		}
	})
}

func FuzzParseCMS(f *testing.F) {
	f.Add(mustHex("3080060b2a864886f70d0107020000"))
	if d := fuzzNCADir(); d != "" {
		// No NCALayer CMS ships with the test data: seed with signatures made
		// by the real keys, in DER and BER.
		for _, file := range []string{"individual_rsa_sign_valid.p12", "individual_rsa_auth_revoked.p12"} {
			b, _ := os.ReadFile(filepath.Join(d, "keys", file))
			if c, err := ReadPKCS12(b, []byte("Qwerty12")); err == nil {
				s, _ := c.Keys[0].Signer()
				cms, _ := s.SignCMS([]byte("seed"), false, time.Unix(1600000000, 0))
				f.Add(cms)
				f.Add(toIndefinite(f, cms))
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		sd, err := ParseCMS(b)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		if len(sd.Signers) == 0 {
			t.Fatal("parsed without signers")
		}
		v := &Verifier{Policy: RevocationOff}
		_, _ = v.VerifyCMS(b, []byte("seed"), "") // must not panic
	})
}

// fuzzNCADir is ncaDir without a testing.T (fuzz seeds), "" when absent.
func fuzzNCADir() string {
	dir, _ := os.Getwd()
	for dir != filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			d := filepath.Join(dir, "..", "shared", "testdata", "nca")
			if _, err := os.Stat(d); err == nil {
				return d
			}
			return ""
		}
		dir = filepath.Dir(dir)
	}
	return ""
}
