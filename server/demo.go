package server

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"

	"kense/api"
	"kense/eds"
	"kense/eds/gost"
	"kense/i18n"
)

// Demo mode. A demo PKI shaped like NCA RK's (a root, an intermediate
// "DEMO ҰКО", leaf keys with SERIALNUMBER=IIN…, SN, G, OU=BIN…, AUTH or SIGN
// EKU, NCA policy OIDs) and demo accounts of each kind, so that a newcomer
// can sign in at once. Nothing in it is secret: the passwords are printed
// and documented here.
const (
	// DemoKeyPassword opens every demo key file.
	DemoKeyPassword = "Demo1234"
	// DemoRERLogin and DemoRERPassword sign in the demo RER SDB account
	// (bound to 127.0.0.1).
	DemoRERLogin    = "dana.seitova"
	DemoRERPassword = "Demo-Rer-2026!"
	// DemoConfigFile is the config (trust in the demo CA) in the demo folder.
	DemoConfigFile = "config.json"
)

// NCA's OIDs used in demo certificates.
var (
	oidSurname    = asn1.ObjectIdentifier{2, 5, 4, 4}
	oidGivenName  = asn1.ObjectIdentifier{2, 5, 4, 42}
	oidIndividual = asn1.ObjectIdentifier{1, 2, 398, 3, 3, 4, 1, 1}
	oidOrgStaff   = asn1.ObjectIdentifier{1, 2, 398, 3, 3, 4, 1, 2}
	oidOrgEmpl    = asn1.ObjectIdentifier{1, 2, 398, 3, 3, 4, 1, 2, 5}
)

// DemoKey is one key file of the demo.
type DemoKey struct {
	File    string `json:"file"`
	Owner   string `json:"owner"`
	IIN     string `json:"iin"`
	Usage   string `json:"usage"`   // AUTH or SIGN
	Account string `json:"account"` // i18n key: which demo account it belongs to
	Expect  string `json:"expect"`  // i18n key: what a sign-in with it gives
}

// DemoInfo describes a created demo.
type DemoInfo struct {
	Dir         string    `json:"dir"`
	ConfigFile  string    `json:"configFile"`
	KeyPassword string    `json:"keyPassword"`
	RERLogin    string    `json:"rerLogin"`
	RERPassword string    `json:"rerPassword"`
	Keys        []DemoKey `json:"keys"`
}

// DemoPKI is a CA that issues NCA-shaped certificates; tests use it too.
// Beside the RSA root and intermediate it has a GOST CA ("DEMO ҰКО (GOST)",
// GOST 34.10-2015 512-bit, NCA's OIDs and byte order) for GOST keys: NCA
// publishes only a SIGN test key for GOST, and sign-in needs an AUTH key.
type DemoPKI struct {
	Root, CA       *x509.Certificate
	rootKey, caKey *rsa.PrivateKey
	Revoked        []x509.RevocationListEntry

	GOSTCA      *x509.Certificate // self-signed; a trust anchor as NCA's intermediates are
	gostKey     *gost.PrivateKey
	GOSTRevoked []x509.RevocationListEntry
}

// DemoPerson is a certificate subject.
type DemoPerson struct {
	IIN, Surname, GivenName, Patronymic string
	Org, BIN                            string // organisation keys
}

// NewDemoPKI makes a root and an intermediate CA valid around now.
func NewDemoPKI(now time.Time) (*DemoPKI, error) {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	ck, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	rootTpl := &x509.Certificate{
		SerialNumber:          randSerial(),
		Subject:               pkix.Name{CommonName: "DEMO НЕГІЗГІ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (RSA)", Country: []string{"KZ"}},
		NotBefore:             now.Add(-48 * time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	rootDER, err := x509.CreateCertificate(rand.Reader, rootTpl, rootTpl, &rk.PublicKey, rk)
	if err != nil {
		return nil, err
	}
	root, _ := x509.ParseCertificate(rootDER)
	caTpl := &x509.Certificate{
		SerialNumber:          randSerial(),
		Subject:               pkix.Name{CommonName: "DEMO ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (RSA)", Country: []string{"KZ"}},
		NotBefore:             now.AddDate(-2, 0, 0),
		NotAfter:              now.AddDate(5, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	caTpl.Subject.CommonName = "DEMO ҰКО (RSA)"
	caDER, err := x509.CreateCertificate(rand.Reader, caTpl, root, &ck.PublicKey, rk)
	if err != nil {
		return nil, err
	}
	ca, _ := x509.ParseCertificate(caDER)
	gk, err := gost.GenerateKey(gost.CurveTC26512A, rand.Reader)
	if err != nil {
		return nil, err
	}
	gostTpl := &x509.Certificate{
		SerialNumber:          randSerial(),
		Subject:               pkix.Name{CommonName: "DEMO ҰКО (GOST)", Country: []string{"KZ"}},
		NotBefore:             now.AddDate(-2, 0, 0),
		NotAfter:              now.AddDate(5, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	gostDER, err := gost.CreateCertificate(gostTpl, gostTpl, &gk.PublicKey, gk)
	if err != nil {
		return nil, err
	}
	gostCA, err := x509.ParseCertificate(gostDER)
	if err != nil {
		return nil, err
	}
	return &DemoPKI{Root: root, CA: ca, rootKey: rk, caKey: ck, GOSTCA: gostCA, gostKey: gk}, nil
}

func randSerial() *big.Int {
	b := make([]byte, 20)
	rand.Read(b)
	b[0] &= 0x7f
	b[0] |= 0x40
	return new(big.Int).SetBytes(b)
}

// Issue makes a leaf key and certificate. usage is "AUTH" or "SIGN".
func (p *DemoPKI) Issue(who DemoPerson, usage string, notBefore, notAfter time.Time) (*rsa.PrivateKey, *x509.Certificate, error) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, nil, err
	}
	c, err := p.IssueFor(k, who, usage, notBefore, notAfter)
	return k, c, err
}

// IssueFor certifies an existing key (tests reuse one key to save time).
func (p *DemoPKI) IssueFor(k crypto.Signer, who DemoPerson, usage string, notBefore, notAfter time.Time) (*x509.Certificate, error) {
	tpl, err := leafTemplate(who, usage, notBefore, notAfter)
	if err != nil {
		return nil, err
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, p.CA, k.Public(), p.caKey)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// IssueGOST makes a GOST 34.10-2015 (512-bit) key and its certificate from
// the GOST CA, NCA-shaped as Issue's. usage is "AUTH" or "SIGN".
func (p *DemoPKI) IssueGOST(who DemoPerson, usage string, notBefore, notAfter time.Time) (*gost.PrivateKey, *x509.Certificate, error) {
	tpl, err := leafTemplate(who, usage, notBefore, notAfter)
	if err != nil {
		return nil, nil, err
	}
	k, err := gost.GenerateKey(gost.CurveTC26512A, rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	der, err := gost.CreateCertificate(tpl, p.GOSTCA, &k.PublicKey, p.gostKey)
	if err != nil {
		return nil, nil, err
	}
	c, err := x509.ParseCertificate(der)
	return k, c, err
}

// leafTemplate is an NCA-shaped leaf certificate for who.
func leafTemplate(who DemoPerson, usage string, notBefore, notAfter time.Time) (*x509.Certificate, error) {
	name := pkix.Name{
		CommonName:   strings.TrimSpace(who.Surname + " " + who.GivenName),
		SerialNumber: "IIN" + who.IIN,
		Country:      []string{"KZ"},
		ExtraNames: []pkix.AttributeTypeAndValue{
			{Type: oidSurname, Value: who.Surname},
		},
	}
	if who.Patronymic != "" {
		name.ExtraNames = append(name.ExtraNames, pkix.AttributeTypeAndValue{Type: oidGivenName, Value: who.Patronymic})
	}
	policies := []asn1.ObjectIdentifier{oidIndividual}
	if who.BIN != "" {
		name.Organization = []string{who.Org}
		name.OrganizationalUnit = []string{"BIN" + who.BIN}
		policies = []asn1.ObjectIdentifier{oidOrgStaff, oidOrgEmpl}
	}
	tpl := &x509.Certificate{
		SerialNumber: randSerial(),
		Subject:      name,
		NotBefore:    notBefore,
		NotAfter:     notAfter,
	}
	// Go writes Policies (x509.OID) since 1.24; PolicyIdentifiers is ignored.
	for _, p := range policies {
		ints := make([]uint64, len(p))
		for i, v := range p {
			ints[i] = uint64(v)
		}
		oid, err := x509.OIDFromInts(ints)
		if err != nil {
			return nil, err
		}
		tpl.Policies = append(tpl.Policies, oid)
	}
	switch usage {
	case "AUTH":
		tpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
		tpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	case "SIGN":
		tpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
		tpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}
	default:
		return nil, fmt.Errorf("usage %q: want AUTH or SIGN", usage)
	}
	return tpl, nil
}

// Revoke adds a certificate to its CA's next CRL (the RSA or the GOST CA).
func (p *DemoPKI) Revoke(c *x509.Certificate, at time.Time) {
	e := x509.RevocationListEntry{SerialNumber: c.SerialNumber, RevocationTime: at}
	if p.GOSTCA != nil && bytes.Equal(c.RawIssuer, p.GOSTCA.RawSubject) {
		p.GOSTRevoked = append(p.GOSTRevoked, e)
		return
	}
	p.Revoked = append(p.Revoked, e)
}

// CRL issues the intermediate's CRL, valid from thisUpdate for a week.
func (p *DemoPKI) CRL(thisUpdate time.Time) ([]byte, error) {
	return x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number:                    big.NewInt(thisUpdate.Unix()),
		ThisUpdate:                thisUpdate,
		NextUpdate:                thisUpdate.AddDate(0, 0, 7),
		RevokedCertificateEntries: p.Revoked,
	}, p.CA, p.caKey)
}

// GOSTCRL issues the GOST CA's CRL (GOST-signed), valid from thisUpdate
// for a week.
func (p *DemoPKI) GOSTCRL(thisUpdate time.Time) ([]byte, error) {
	return gost.CreateRevocationList(&x509.RevocationList{
		Number:                    big.NewInt(thisUpdate.Unix()),
		ThisUpdate:                thisUpdate,
		NextUpdate:                thisUpdate.AddDate(0, 0, 7),
		RevokedCertificateEntries: p.GOSTRevoked,
	}, p.GOSTCA, p.gostKey)
}

// CAKey is the intermediate's key (tests sign OCSP responses with it).
func (p *DemoPKI) CAKey() crypto.Signer { return p.caKey }

// GOSTCAKey is the GOST CA's key (tests sign GOST OCSP responses with it).
func (p *DemoPKI) GOSTCAKey() *gost.PrivateKey { return p.gostKey }

// KeyFile encodes a key and its chain as NCA does (BER PKCS#12).
func (p *DemoPKI) KeyFile(k crypto.Signer, c *x509.Certificate, password string) ([]byte, error) {
	return eds.EncodePKCS12(k, c, []*x509.Certificate{p.CA, p.Root}, []byte(password))
}

// GOSTKeyFile encodes a GOST key and its chain as NCA does (BER PKCS#12).
func (p *DemoPKI) GOSTKeyFile(k *gost.PrivateKey, c *x509.Certificate, password string) ([]byte, error) {
	return eds.EncodeGOSTPKCS12(k, c, []*x509.Certificate{p.GOSTCA}, []byte(password))
}

// CreateDemo makes the demo PKI in dir (ca/, keys/, config.json,
// README.txt) and the demo accounts in st. It refuses a dir that already
// holds a demo.
func CreateDemo(st Store, dir string, now time.Time) (*DemoInfo, error) {
	cfgPath := filepath.Join(dir, DemoConfigFile)
	if _, err := os.Stat(cfgPath); err == nil {
		return nil, fmt.Errorf("%s already holds a demo", dir)
	}
	for _, d := range []string{"ca", "keys"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return nil, err
		}
	}
	pki, err := NewDemoPKI(now)
	if err != nil {
		return nil, err
	}
	year := func(nb time.Time) time.Time { return nb.AddDate(1, 0, 0) }
	fresh := now.Add(-24 * time.Hour)
	old := now.AddDate(0, 0, -350) // the EDS-year warning shows 15 days left
	notary := DemoPerson{IIN: "780312450016", Surname: "НҰРЛАНОВА", GivenName: "АЙГҮЛ", Patronymic: "СЕРІКҚЫЗЫ"}
	notary2 := DemoPerson{IIN: "901120300033", Surname: "ӘБЕНОВ", GivenName: "ЕРЛАН", Patronymic: "ҚАЙРАТҰЛЫ"}
	rer := DemoPerson{IIN: "850505400028", Surname: "СЕЙІТОВА", GivenName: "ДАНА", Patronymic: "МАРАТҚЫЗЫ",
		Org: "НАО «ГОСУДАРСТВЕННАЯ КОРПОРАЦИЯ «ПРАВИТЕЛЬСТВО ДЛЯ ГРАЖДАН»»", BIN: "160440007161"}
	blocked := DemoPerson{IIN: "880404300058", Surname: "КИМ", GivenName: "ВИКТОР", Patronymic: "НИКОЛАЕВИЧ"}
	stranger := DemoPerson{IIN: "700101300075", Surname: "ОСПАНОВ", GivenName: "БОЛАТ", Patronymic: "ЕРІКҰЛЫ"}

	type item struct {
		file    string
		who     DemoPerson
		usage   string
		nb      time.Time
		account string
		expect  string
		revoke  bool
		gost    bool
	}
	items := []item{
		{"notary_AUTH_RSA256.p12", notary, "AUTH", fresh, "srv.demo.acct.notary", "srv.demo.exp.ok", false, false},
		{"notary_RSA256.p12", notary, "SIGN", fresh, "srv.demo.acct.notary", "srv.demo.exp.sign", false, false},
		{"notary_revoked_AUTH_RSA256.p12", notary, "AUTH", fresh.Add(-time.Hour), "srv.demo.acct.notary", "srv.demo.exp.revoked", true, false},
		{"notary2_AUTH_RSA256.p12", notary2, "AUTH", old, "srv.demo.acct.notary2", "srv.demo.exp.warn", false, false},
		{"rer_AUTH_RSA256.p12", rer, "AUTH", fresh, "srv.demo.acct.rer", "srv.demo.exp.rer", false, false},
		{"blocked_AUTH_RSA256.p12", blocked, "AUTH", fresh, "srv.demo.acct.blocked", "srv.demo.exp.blocked", false, false},
		{"stranger_AUTH_RSA256.p12", stranger, "AUTH", fresh, "srv.demo.acct.none", "srv.demo.exp.none", false, false},
		{"notary_AUTH_GOST512.p12", notary, "AUTH", fresh, "srv.demo.acct.notary", "srv.demo.exp.gost", false, true},
	}
	certs := map[string]*x509.Certificate{}
	info := &DemoInfo{Dir: dir, ConfigFile: cfgPath, KeyPassword: DemoKeyPassword, RERLogin: DemoRERLogin, RERPassword: DemoRERPassword}
	for _, it := range items {
		var c *x509.Certificate
		var p12 []byte
		if it.gost {
			k, gc, err := pki.IssueGOST(it.who, it.usage, it.nb, year(it.nb))
			if err != nil {
				return nil, err
			}
			c = gc
			if p12, err = pki.GOSTKeyFile(k, c, DemoKeyPassword); err != nil {
				return nil, err
			}
		} else {
			k, rc, err := pki.Issue(it.who, it.usage, it.nb, year(it.nb))
			if err != nil {
				return nil, err
			}
			c = rc
			if p12, err = pki.KeyFile(k, c, DemoKeyPassword); err != nil {
				return nil, err
			}
		}
		if it.revoke {
			pki.Revoke(c, now.Add(-time.Hour))
		} else if it.usage == "AUTH" && certs[it.who.IIN] == nil {
			certs[it.who.IIN] = c // the account's registered EDS: its first AUTH key
		}
		f := filepath.Join(dir, "keys", it.file)
		if err := os.WriteFile(f, p12, 0o600); err != nil {
			return nil, err
		}
		info.Keys = append(info.Keys, DemoKey{File: f, Owner: it.who.Surname + " " + it.who.GivenName + " " + it.who.Patronymic,
			IIN: it.who.IIN, Usage: it.usage, Account: it.account, Expect: it.expect})
	}
	crl, err := pki.CRL(now.Add(-time.Minute))
	if err != nil {
		return nil, err
	}
	gostCRL, err := pki.GOSTCRL(now.Add(-time.Minute))
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{"ca/demo_root.cer": pki.Root.Raw, "ca/demo_ca.cer": pki.CA.Raw, "ca/demo_ca.crl": crl,
		"ca/demo_gost_ca.cer": pki.GOSTCA.Raw, "ca/demo_gost_ca.crl": gostCRL}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(name)), data, 0o644); err != nil {
			return nil, err
		}
	}
	full := func(p DemoPerson) string { return p.Surname + " " + p.GivenName + " " + p.Patronymic }
	accounts := []NewAccount{
		{IIN: notary.IIN, FullName: full(notary), Kind: api.KindUNIS, Cert: certs[notary.IIN]},
		{IIN: notary2.IIN, FullName: full(notary2), Kind: api.KindUNIS, Cert: certs[notary2.IIN]},
		{IIN: rer.IIN, FullName: full(rer), Kind: api.KindRER, Login: DemoRERLogin, Password: []byte(DemoRERPassword), BoundIP: "127.0.0.1", Cert: certs[rer.IIN]},
		{IIN: blocked.IIN, FullName: full(blocked), Kind: api.KindUNIS, Cert: certs[blocked.IIN]},
	}
	for _, n := range accounts {
		if _, err := CreateAccount(st, n, now); err != nil && !errors.Is(err, ErrExists) {
			return nil, err
		}
	}
	// The demo RER password is printed for everyone: it counts as the
	// user's own (not primary), so the demo signs in to a full session.
	if err := st.UpdateAccount(rer.IIN, func(a *Account) error { a.PasswordPrimary = false; return nil }); err != nil {
		return nil, err
	}
	if err := BlockAccount(st, blocked.IIN, "demo: access terminated (UNIS rule 5)", now); err != nil {
		return nil, err
	}
	cfg := FileConfig{Demo: true, Trust: TrustConfig{
		Anchors:       []string{"ca/demo_root.cer", "ca/demo_gost_ca.cer"},
		Intermediates: []string{"ca/demo_ca.cer"},
		CRLs:          []string{"ca/demo_ca.crl", "ca/demo_gost_ca.crl"},
		Revocation:    "prefer",
	}}
	b, err := cfg.MarshalIndent()
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(cfgPath, b, 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "README.txt"), []byte(info.Text()), 0o644); err != nil {
		return nil, err
	}
	return info, nil
}

// Text describes the demo for a person, in the current language: where the
// key files are and what a sign-in with each gives.
func (d *DemoInfo) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n%s\n", i18n.T("srv.demo.header"), i18n.T("srv.demo.keys", "password", d.KeyPassword))
	for _, k := range d.Keys {
		fmt.Fprintf(&b, "  %s\n      %s\n", k.File, i18n.T("srv.demo.key", "owner", k.Owner, "iin", k.IIN, "usage", k.Usage,
			"account", i18n.T(k.Account, "login", d.RERLogin), "expect", i18n.T(k.Expect)))
	}
	fmt.Fprintf(&b, "\n%s\n%s\n", i18n.T("srv.demo.rer", "login", d.RERLogin, "password", d.RERPassword),
		i18n.T("srv.demo.trust", "file", d.ConfigFile))
	return b.String()
}
