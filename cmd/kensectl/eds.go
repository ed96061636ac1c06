package main

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"kense/eds"
	"kense/eds/ocsphttp"
	"kense/i18n"
)

func init() {
	register("keyinfo", "the keys of an NCA key file (.p12) as JSON", runKeyinfo)
	register("sign", "sign a file with a key file (CMS, attached or -detached)", runSign)
	register("verify", "verify a CMS signature: signature, chain, validity, revocation", runVerify)
}

// edsStdin is where the password comes from when KENSE_KEY_PASSWORD is not
// set; tests replace it.
var edsStdin io.Reader = os.Stdin

// readKeyPassword takes the password from KENSE_KEY_PASSWORD, else asks on
// the terminal without echo, else reads one line from stdin (scripts). The
// caller wipes the result.
func readKeyPassword(stderr io.Writer) ([]byte, error) {
	if p, ok := os.LookupEnv("KENSE_KEY_PASSWORD"); ok {
		return []byte(p), nil
	}
	if f, ok := edsStdin.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			fmt.Fprint(stderr, i18n.T("eds.cli.password"))
			p, err := readPasswordNoEcho(f)
			fmt.Fprintln(stderr)
			return p, err
		}
	}
	return readLine(edsStdin)
}

// readLine reads up to a newline byte by byte, so that nothing after the
// password is consumed, and drops the line end.
func readLine(r io.Reader) ([]byte, error) {
	var line []byte
	b := make([]byte, 1)
	for {
		n, err := r.Read(b)
		if n == 1 {
			if b[0] == '\n' {
				break
			}
			line = append(line, b[0])
		}
		if err == io.EOF {
			if len(line) == 0 {
				return nil, errors.New(i18n.T("eds.cli.no_password"))
			}
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

func wipeBytes(b []byte) {
	for i := range b {
		b[i] = 0
	}
}

// edsMessage says what went wrong in the user's language.
func edsMessage(err error) string {
	var e *eds.Error
	if errors.As(err, &e) {
		return e.Message(i18n.Current())
	}
	return err.Error()
}

// openKeyFile reads a key file with the password from readKeyPassword.
func openKeyFile(file string, stderr io.Writer) (*eds.Container, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, errors.New(i18n.T("eds.cli.read_failed", "file", file, "detail", err.Error()))
	}
	pass, err := readKeyPassword(stderr)
	if err != nil {
		return nil, err
	}
	defer wipeBytes(pass)
	c, err := eds.ReadPKCS12(data, pass)
	if err != nil {
		return nil, errors.New(edsMessage(err))
	}
	return c, nil
}

// runKeyinfo prints the keys of a key file as a JSON array, one object per
// key (an NCA file holds one; the array keeps the shape the same for all).
func runKeyinfo(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("keyinfo", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	pos, err := parseInterleaved(fs, args)
	if err != nil || len(pos) != 1 {
		fmt.Fprintln(stderr, i18n.T("eds.cli.usage_keyinfo"))
		return 2
	}
	c, err := openKeyFile(pos[0], stderr)
	if err != nil {
		fmt.Fprintln(stderr, "kensectl keyinfo: "+err.Error())
		return 1
	}
	defer c.Wipe()
	infos := make([]eds.KeyInfo, 0, len(c.Keys))
	for _, k := range c.Keys {
		infos = append(infos, k.Info)
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(infos); err != nil {
		fmt.Fprintln(stderr, "kensectl keyinfo: "+err.Error())
		return 1
	}
	return 0
}

// runSign: kensectl sign FILE.p12 -in DATA -o SIG.cms [-detached].
func runSign(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sign", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	in := fs.String("in", "", "data to sign")
	out := fs.String("o", "", "CMS output file (- for stdout)")
	detached := fs.Bool("detached", false, "leave the data out of the CMS")
	pos, err := parseInterleaved(fs, args)
	if err != nil || len(pos) != 1 || *in == "" || *out == "" {
		fmt.Fprintln(stderr, i18n.T("eds.cli.usage_sign"))
		return 2
	}
	data, err := os.ReadFile(*in)
	if err != nil {
		fmt.Fprintln(stderr, "kensectl sign: "+i18n.T("eds.cli.read_failed", "file", *in, "detail", err.Error()))
		return 1
	}
	c, err := openKeyFile(pos[0], stderr)
	if err != nil {
		fmt.Fprintln(stderr, "kensectl sign: "+err.Error())
		return 1
	}
	defer c.Wipe()
	k := c.Keys[0]
	s, err := k.Signer()
	if err != nil {
		fmt.Fprintln(stderr, "kensectl sign: "+edsMessage(err))
		return 1
	}
	cms, err := s.SignCMS(data, *detached, time.Now())
	if err != nil {
		fmt.Fprintln(stderr, "kensectl sign: "+edsMessage(err))
		return 1
	}
	if *out == "-" {
		_, err = stdout.Write(cms)
	} else {
		err = os.WriteFile(*out, cms, 0o644)
	}
	if err != nil {
		fmt.Fprintln(stderr, "kensectl sign: "+i18n.T("eds.cli.write_failed", "file", *out, "detail", err.Error()))
		return 1
	}
	fmt.Fprintln(stderr, i18n.T("eds.cli.signed", "name", k.Info.CommonName, "iin", k.Info.IIN, "file", *out))
	return 0
}

// verdict is what verify prints.
type verdict struct {
	Valid       bool         `json:"valid"`
	Code        string       `json:"code,omitempty"`
	Message     string       `json:"message"`
	Detail      string       `json:"detail,omitempty"`
	At          time.Time    `json:"at"`
	Signer      *eds.KeyInfo `json:"signer,omitempty"`
	SigningTime *time.Time   `json:"signingTime,omitempty"`
	Revocation  string       `json:"revocation,omitempty"`
	Source      string       `json:"source,omitempty"`
}

// runVerify: kensectl verify SIG.cms [-data DATA] -trust DIR [-crl FILE]...
// [-at RFC3339] [-ocsp URL] [-revocation require|prefer|off] [-eku auth|sign].
// It prints the verdict as JSON and exits 1 when the signature is not valid
// at that time.
func runVerify(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dataFile := fs.String("data", "", "the signed data, for a detached signature")
	trust := fs.String("trust", "", "folder of trusted CA certificates")
	var crls multiFlag
	fs.Var(&crls, "crl", "CRL file (repeatable)")
	at := fs.String("at", "", "verify as of this time, RFC 3339 (default now)")
	ocspURL := fs.String("ocsp", "", "OCSP responder URL")
	policy := fs.String("revocation", string(eds.RevocationPrefer), "require, prefer or off")
	eku := fs.String("eku", "", "required key purpose: auth or sign")
	usage := func() int { fmt.Fprintln(stderr, i18n.T("eds.cli.usage_verify")); return 2 }
	pos, err := parseInterleaved(fs, args)
	if err != nil || len(pos) != 1 || *trust == "" {
		return usage()
	}
	problem := func(msg string) int { fmt.Fprintln(stderr, "kensectl verify: "+msg); return 2 }
	now := time.Now()
	if *at != "" {
		if now, err = time.Parse(time.RFC3339, *at); err != nil {
			return problem(i18n.T("eds.cli.bad_time", "value", *at))
		}
	}
	var requireEKU string
	switch strings.ToLower(*eku) {
	case "":
	case "auth":
		requireEKU = eds.EKUAuth
	case "sign":
		requireEKU = eds.EKUSign
	default:
		return problem(i18n.T("eds.cli.bad_choice", "value", *eku, "flag", "eku", "choices", "auth, sign"))
	}
	switch eds.RevocationPolicy(*policy) {
	case eds.RevocationRequire, eds.RevocationPrefer, eds.RevocationOff:
	default:
		return problem(i18n.T("eds.cli.bad_choice", "value", *policy, "flag", "revocation", "choices", "require, prefer, off"))
	}
	cms, err := os.ReadFile(pos[0])
	if err != nil {
		return problem(i18n.T("eds.cli.read_failed", "file", pos[0], "detail", err.Error()))
	}
	var data []byte
	if *dataFile != "" {
		if data, err = os.ReadFile(*dataFile); err != nil {
			return problem(i18n.T("eds.cli.read_failed", "file", *dataFile, "detail", err.Error()))
		}
	}
	anchors, err := loadCertDir(*trust)
	if err != nil {
		return problem(err.Error())
	}
	v := &eds.Verifier{Anchors: anchors, Policy: eds.RevocationPolicy(*policy), Now: func() time.Time { return now }}
	for _, f := range crls {
		l, err := loadCRL(f)
		if err != nil {
			return problem(i18n.T("eds.cli.read_failed", "file", f, "detail", err.Error()))
		}
		v.CRLs = append(v.CRLs, l)
	}
	if *ocspURL != "" {
		v.OCSP = &ocsphttp.Checker{URL: *ocspURL, Now: v.Now}
	}

	out := verdict{At: now.UTC()}
	r, err := v.VerifyCMS(cms, data, requireEKU)
	if err == nil {
		out.Valid = true
		out.Message = i18n.T("eds.cli.valid")
		out.Signer = &r.Signer
		if !r.SigningTime.IsZero() {
			out.SigningTime = &r.SigningTime
		}
		out.Revocation, out.Source = r.Revocation, r.Source
	} else {
		out.Message = edsMessage(err)
		var e *eds.Error
		if errors.As(err, &e) {
			out.Code, out.Detail = e.Code, e.Detail
		}
		// Say whose signature it was, when the CMS can tell.
		if sd, perr := eds.ParseCMS(cms); perr == nil && sd.Signers[0].Cert != nil {
			f := eds.Facts(sd.Signers[0].Cert)
			out.Signer = &f
		}
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return problem(err.Error())
	}
	if !out.Valid {
		return 1
	}
	return 0
}

// loadCertDir reads every certificate (PEM or DER) in dir.
func loadCertDir(dir string) ([]*x509.Certificate, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, errors.New(i18n.T("eds.cli.read_failed", "file", dir, "detail", err.Error()))
	}
	var certs []*x509.Certificate
	for _, e := range entries {
		switch strings.ToLower(filepath.Ext(e.Name())) {
		case ".crt", ".cer", ".pem", ".der":
		default:
			continue
		}
		name := filepath.Join(dir, e.Name())
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, errors.New(i18n.T("eds.cli.read_failed", "file", name, "detail", err.Error()))
		}
		cs, err := parseCerts(b)
		if err != nil {
			return nil, errors.New(i18n.T("eds.cli.read_failed", "file", name, "detail", err.Error()))
		}
		certs = append(certs, cs...)
	}
	if len(certs) == 0 {
		return nil, errors.New(i18n.T("eds.cli.no_anchors", "dir", dir))
	}
	return certs, nil
}

func parseCerts(b []byte) ([]*x509.Certificate, error) {
	if !strings.Contains(string(b), "-----BEGIN") {
		c, err := x509.ParseCertificate(b)
		if err != nil {
			return nil, err
		}
		return []*x509.Certificate{c}, nil
	}
	var out []*x509.Certificate
	for {
		var p *pem.Block
		p, b = pem.Decode(b)
		if p == nil {
			break
		}
		if p.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(p.Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("no certificate")
	}
	return out, nil
}

func loadCRL(name string) (*x509.RevocationList, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	if p, _ := pem.Decode(b); p != nil {
		b = p.Bytes
	}
	return x509.ParseRevocationList(b)
}
