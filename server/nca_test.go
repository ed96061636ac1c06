package server

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"kense/api"
	"kense/eds"
)

// ncaDir finds ../shared/testdata/nca beside the module root, or skips.
func ncaDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("module root not found")
		}
		dir = parent
	}
	nca := filepath.Join(dir, "..", "shared", "testdata", "nca")
	if _, err := os.Stat(nca); err != nil {
		t.Skip("NCA test material absent: ", nca)
	}
	return nca
}

func ncaSigner(t *testing.T, nca, file string) eds.Signer {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(nca, "keys", file))
	if err != nil {
		t.Fatal(err)
	}
	c, err := eds.ReadPKCS12(data, []byte("Qwerty12"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.Keys[0].Signer()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestRealNCAKeys signs in with NCA RK's own test key files, verified
// against NCA's test CA and CRL "as of" times inside their validity.
func TestRealNCAKeys(t *testing.T) {
	nca := ncaDir(t)
	e := newEnv(t, nil)
	anchors, err := LoadCertificates([]string{filepath.Join(nca, "ca", "nca_rsa_test.crt")})
	if err != nil {
		t.Fatal(err)
	}
	crls, err := LoadCRLs(context.Background(), []string{filepath.Join(nca, "crl", "nca_rsa_test.crl")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	e.tune(func(v *eds.Verifier) {
		v.Anchors, v.Intermediates, v.CRLs, v.Policy = anchors, nil, crls, eds.RevocationRequire
	})
	auth := ncaSigner(t, nca, "individual_rsa_auth_revoked.p12")
	sign := ncaSigner(t, nca, "individual_rsa_sign_valid.p12")
	// NCA's test IIN 123456789011 has no valid check digit, so the operator
	// command would refuse it: the test stores the account directly.
	if err := e.store.CreateAccount(&Account{IIN: "123456789011", FullName: "ТЕСТОВ ТЕСТ", Kind: api.KindUNIS, Status: api.StatusActive}); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(time.Date(2022, 6, 1, 6, 0, 0, 0, time.UTC))
	st, b := e.signIn(auth, attempt{})
	wantCode(t, st, b, 401, api.CodeRevoked)

	e.clock.Set(time.Date(2021, 6, 1, 6, 0, 0, 0, time.UTC))
	st, b = e.signIn(sign, attempt{})
	wantCode(t, st, b, 401, api.CodeWrongKeyUsage)

	e.clock.Set(time.Date(2023, 6, 1, 6, 0, 0, 0, time.UTC))
	st, b = e.signIn(auth, attempt{})
	wantCode(t, st, b, 401, api.CodeExpired)

	// Without revocation checks the same AUTH key signs in: the real NCA
	// CMS, chain and subject (IIN) are read right.
	e.srv.byIP.succeed("127.0.0.1")
	e.srv.byIIN.succeed("123456789011")
	e.tune(func(v *eds.Verifier) { v.Policy = eds.RevocationOff })
	e.clock.Set(time.Date(2022, 6, 1, 6, 0, 0, 0, time.UTC))
	r := e.ok(auth, attempt{detached: true})
	if r.Account.IIN != "123456789011" || len(r.Account.Certificates) != 1 || r.Account.Certificates[0].Serial[:8] != "1AB11253" {
		t.Fatalf("%+v", r.Account)
	}
}

// TestCRLReload: a CRL file replaced while the server runs takes effect on
// reload; a broken file keeps the old CRLs.
func TestCRLReload(t *testing.T) {
	pki, _, _ := fixtures(t)
	crlFile := filepath.Join(t.TempDir(), "ca.crl")
	der, _ := pki.CRL(t0.Add(-time.Minute))
	os.WriteFile(crlFile, der, 0o644)
	var rv *ReloadingVerifier
	e := newEnv(t, func(c *Config, v *eds.Verifier) {
		v.Policy = eds.RevocationRequire
		rv = NewReloadingVerifier(v, []string{crlFile}, nil)
		c.Verifier = rv
	})
	if err := rv.ReloadCRLs(context.Background()); err != nil {
		t.Fatal(err)
	}
	c := e.cert(0, pNotary, "AUTH", t0.AddDate(0, -1, 0))
	e.addAccount(NewAccount{IIN: pNotary.IIN, FullName: "Нұрланова Айгүл", Kind: api.KindUNIS, Cert: c})
	s := e.signer(0, c)
	e.ok(s, attempt{})

	os.WriteFile(crlFile, []byte("not a CRL"), 0o644)
	if err := rv.ReloadCRLs(context.Background()); err == nil {
		t.Fatal("broken CRL loaded")
	}
	e.ok(s, attempt{})

	e.pki.Revoke(c, t0.Add(-time.Second))
	der, _ = e.pki.CRL(t0)
	os.WriteFile(crlFile, der, 0o644)
	if err := rv.ReloadCRLs(context.Background()); err != nil {
		t.Fatal(err)
	}
	st, b := e.signIn(s, attempt{})
	wantCode(t, st, b, 401, api.CodeRevoked)
}
