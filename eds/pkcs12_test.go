package eds

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kense/eds/edstest"
	"kense/i18n"
)

// RFC 2268 section 5 vectors.
func TestRC2Vectors(t *testing.T) {
	for _, v := range []struct {
		key  string
		bits int
		pt   string
		ct   string
	}{
		{"0000000000000000", 63, "0000000000000000", "ebb773f993278eff"},
		{"ffffffffffffffff", 64, "ffffffffffffffff", "278b27e42e2f0d49"},
		{"3000000000000000", 64, "1000000000000001", "30649edf9be7d2c2"},
		{"88", 64, "0000000000000000", "61a8a244adacccf0"},
		{"88bca90e90875a", 64, "0000000000000000", "6ccf4308974c267f"},
		{"88bca90e90875a7f0f79c384627bafb2", 64, "0000000000000000", "1a807d272bbe5db1"},
		{"88bca90e90875a7f0f79c384627bafb2", 128, "0000000000000000", "2269552ab0f85ca6"},
	} {
		key, _ := hex.DecodeString(v.key)
		pt, _ := hex.DecodeString(v.pt)
		c := newRC2(key, v.bits)
		got := make([]byte, 8)
		c.Encrypt(got, pt)
		if hex.EncodeToString(got) != v.ct {
			t.Errorf("RC2 %s/%d: got %x, want %s", v.key, v.bits, got, v.ct)
		}
		back := make([]byte, 8)
		c.Decrypt(back, got)
		if !bytes.Equal(back, pt) {
			t.Errorf("RC2 %s/%d: decrypt gives %x", v.key, v.bits, back)
		}
	}
}

func TestReadRealNCAContainers(t *testing.T) {
	for _, tc := range []struct {
		file, pass, iin, usage, alg, serial string
		from, to                            string
	}{
		{"individual_rsa_sign_valid.p12", "Qwerty12", "123456789011", "SIGN", "RSA-2048", "4279390A141F5353A62947B61ED65E81741467D1", "2021-01-18", "2022-01-18"},
		{"individual_rsa_auth_revoked.p12", "Qwerty12", "123456789011", "AUTH", "RSA-2048", "1AB11253653B2537F2EDD55F0F66281CA4FA3F98", "2022-01-18", "2023-01-18"},
		{"individual_gost2015_sign_valid.p12", "Aa123456", "123456789012", "SIGN", "GOST2015-512", "0FF06211DC82BEB00253FFA000F1DE84ABEF454F", "2022-07-28", "2023-07-28"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			c := readNCAKey(t, tc.file, tc.pass)
			if len(c.Keys) != 1 {
				t.Fatalf("%d keys", len(c.Keys))
			}
			k := c.Keys[0].Info
			if k.IIN != tc.iin || k.KeyUsage != tc.usage || k.Algorithm != tc.alg || k.Serial != tc.serial {
				t.Errorf("facts %+v", k)
			}
			if k.NotBefore.Format("2006-01-02") != tc.from || k.NotAfter.Format("2006-01-02") != tc.to {
				t.Errorf("validity %v .. %v", k.NotBefore, k.NotAfter)
			}
			// NCA: SN surname, G patronymic, CN "SURNAME NAME".
			if !strings.HasPrefix(k.Surname, "ТЕСТ") || !strings.HasSuffix(k.Patronymic, "ВИЧ") || k.GivenName == "" || k.CommonName != k.Surname+" "+k.GivenName {
				t.Errorf("names %+v", k)
			}
			if k.BIN != "" || !strings.Contains(strings.Join(k.Policies, " "), "1.2.398.3.3.4.1.1") {
				t.Errorf("bin/policies %+v", k)
			}
		})
	}
}

func TestGOSTKeyKeptAndWiped(t *testing.T) {
	c := readNCAKey(t, "individual_gost2015_sign_valid.p12", "Aa123456")
	k := c.Keys[0]
	var p8 pkcs8
	if _, err := asn1.Unmarshal(k.gostPKCS8, &p8); err != nil || !p8.Algorithm.Algorithm.Equal(oidGOST2015Key512) || len(p8.PrivateKey) < 64 {
		t.Errorf("GOST PKCS#8 kept wrongly: %v", err)
	}
	// A GOST parameter set eds/gost does not know: unsupported, and the
	// message names the algorithm.
	params := []byte{0x06, 0x0a, 0x2a, 0x83, 0x0e, 0x03, 0x0a, 0x01, 0x01, 0x02, 0x02, 0x01}
	odd := bytes.Replace(bytes.Clone(k.gostPKCS8), params, append(params[:len(params)-1:len(params)-1], 0x09), 1)
	if bytes.Equal(odd, k.gostPKCS8) {
		t.Fatal("parameter set OID not found in the PKCS#8")
	}
	_, err := (&Key{Info: k.Info, Cert: k.Cert, gostOID: k.gostOID, gostPKCS8: odd}).Signer()
	if !errors.Is(err, ErrAlgorithmNotSupported) {
		t.Fatalf("Signer: %v", err)
	}
	for _, l := range i18n.Langs {
		if m := err.(*Error).Message(l); !strings.Contains(m, "GOST2015-512") {
			t.Errorf("%s message %q does not name the algorithm", l, m)
		}
	}
	if _, err := k.Signer(); err != nil {
		t.Fatalf("Signer: %v", err)
	}
	c.Wipe()
	if k.gostPKCS8 != nil {
		t.Error("Wipe left the GOST key")
	}
	if _, err := k.Signer(); code(err) != CodeBadContainer {
		t.Errorf("Signer after Wipe: %v", err)
	}
}

func TestWrongPassword(t *testing.T) {
	data := ncaFile(t, "keys", "individual_rsa_sign_valid.p12")
	for _, p := range []string{"qwerty12", "", "Qwerty12 ", "Қwerty12"} {
		_, err := ReadPKCS12(data, []byte(p))
		if !errors.Is(err, ErrWrongPassword) {
			t.Errorf("password %q: %v", p, err)
		}
	}
	var e *Error
	_, err := ReadPKCS12(data, []byte("nope"))
	if !errors.As(err, &e) || e.Message(i18n.RU) != "Неверный пароль. Проверьте пароль от файла ключа и введите его снова (обратите внимание на регистр букв и раскладку клавиатуры)." {
		t.Errorf("Russian message: %v", err)
	}
}

func TestBadContainers(t *testing.T) {
	data := ncaFile(t, "keys", "individual_rsa_sign_valid.p12")
	for name, b := range map[string][]byte{
		"empty":     nil,
		"text":      []byte("hello, this is not a key"),
		"truncated": data[:len(data)/2],
		"cert":      ncaFile(t, "ca", "nca_gost2015_test.cer"),
	} {
		_, err := ReadPKCS12(b, []byte("Qwerty12"))
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeBadContainer {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A flipped byte inside the MAC-protected part: the MAC fails, which is
	// indistinguishable from a wrong password (PKCS#12 cannot tell them apart).
	bad := append([]byte(nil), data...)
	bad[200] ^= 1
	if _, err := ReadPKCS12(bad, []byte("Qwerty12")); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("tampered: %v", err)
	}
}

// testPKI makes a fresh CA and an NCA-shaped certificate for purpose eku.
func testPKI(t testing.TB, eku string) (*edstest.CA, *x509.Certificate, *rsa.PrivateKey) {
	t.Helper()
	now := time.Now()
	ca := edstest.NewCA(t, "KENSE TEST CA", 0, now.Add(-time.Hour), now.AddDate(2, 0, 0))
	leaf, key := ca.Issue(t, edstest.Person{IIN: "880101300123", BIN: "990340000123", Org: "ТОО Тест", Surname: "АХМЕТОВ", Name: "БЕРІК", Patronymic: "САМАТҰЛЫ",
		EKU: eku, NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0), KeyIndex: 1})
	return ca, leaf, key
}

func TestEncodePKCS12RoundTrip(t *testing.T) {
	ca, leaf, key := testPKI(t, EKUAuth)
	pass := []byte("Сәлем-12")
	p12, err := EncodePKCS12(key, leaf, []*x509.Certificate{ca.Cert}, pass)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(p12, []byte{0x30, 0x80}) {
		t.Errorf("outer structure is not indefinite-length BER: % x", p12[:4])
	}
	c, err := ReadPKCS12(p12, pass)
	if err != nil {
		t.Fatal(err)
	}
	k := c.Keys[0]
	if k.Info.IIN != "880101300123" || k.Info.BIN != "990340000123" || k.Info.KeyUsage != "AUTH" || k.Info.Organization != "ТОО Тест" ||
		k.Info.GivenName != "БЕРІК" || k.Info.Patronymic != "САМАТҰЛЫ" || k.Info.Algorithm != "RSA-2048" {
		t.Errorf("facts %+v", k.Info)
	}
	if !k.Cert.Equal(leaf) || len(k.Chain) != 1 || !k.Chain[0].Equal(ca.Cert) {
		t.Errorf("cert/chain mismatch: chain %d", len(k.Chain))
	}
	if _, err := ReadPKCS12(p12, []byte("Салем-12")); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("wrong password: %v", err)
	}
	s, err := k.Signer()
	if err != nil {
		t.Fatal(err)
	}
	cms, err := s.SignCMS([]byte("nonce"), false, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	v := &Verifier{Anchors: []*x509.Certificate{ca.Cert}, Policy: RevocationOff}
	if r, err := v.VerifyCMS(cms, nil, EKUAuth); err != nil || r.Signer.IIN != "880101300123" {
		t.Fatalf("verify: %v %+v", err, r)
	}

	// openssl reads what we write, with the algorithms NCA uses.
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	f := filepath.Join(t.TempDir(), "k.p12")
	if err := os.WriteFile(f, p12, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("openssl", "pkcs12", "-in", f, "-legacy", "-info", "-nodes", "-passin", "pass:"+string(pass)).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl: %v\n%s", err, out)
	}
	for _, want := range []string{"Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 1024", "PKCS7 Encrypted data: pbeWithSHA1And40BitRC2-CBC, Iteration 1024", "BEGIN PRIVATE KEY", "IIN880101300123"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("openssl output lacks %q:\n%s", want, out)
		}
	}
}

func TestMatchCert(t *testing.T) {
	ca, leaf, key := testPKI(t, EKUAuth)
	other := edstest.NewCA(t, "OTHER", 2, time.Now().Add(-time.Hour), time.Now().AddDate(1, 0, 0))
	certs := []certEntry{{[]byte{1}, ca.Cert}, {[]byte{2}, other.Cert}, {nil, leaf}}
	if c := matchCert(keyEntry{[]byte{2}, &Key{signer: key}}, certs, 1); c != other.Cert {
		t.Error("localKeyId must win")
	}
	if c := matchCert(keyEntry{nil, &Key{signer: key}}, certs, 2); c != leaf {
		t.Error("no match by public key")
	}
	if c := matchCert(keyEntry{nil, &Key{gostOID: oidGOST2015Key512}}, certs, 1); c != leaf {
		t.Error("a one-key file's end-entity certificate not taken")
	}
	if c := matchCert(keyEntry{nil, &Key{gostOID: oidGOST2015Key512}}, certs, 2); c != nil {
		t.Error("guessed among several keys")
	}
}

func TestEncodePKCS12Refuses(t *testing.T) {
	_, leaf, key := testPKI(t, EKUAuth)
	other := edstest.Key(t, 0)
	if _, err := EncodePKCS12(other, leaf, nil, []byte("x")); err == nil {
		t.Error("a key with someone else's certificate was written")
	}
	if _, err := EncodePKCS12(key, nil, nil, []byte("x")); err == nil {
		t.Error("no certificate accepted")
	}
}

func TestMain(m *testing.M) {
	i18n.SetLang(i18n.EN)
	os.Exit(m.Run())
}
