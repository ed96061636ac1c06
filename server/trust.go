package server

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// TrustConfig says what the server trusts: CA certificates that are trust
// anchors (NCA's intermediates are usually configured as anchors, as NCA's
// roots are distributed separately), intermediates, CRLs (files or http(s)
// URLs), an OCSP responder URL, and the revocation policy:
//
//	require  a certificate is accepted only when OCSP or a CRL vouches for it
//	prefer   OCSP, then CRLs; when neither answers, accept and say so
//	off      no revocation check
type TrustConfig struct {
	Anchors       []string `json:"anchors"`
	Intermediates []string `json:"intermediates,omitempty"`
	CRLs          []string `json:"crls,omitempty"`
	OCSP          string   `json:"ocsp,omitempty"`
	Revocation    string   `json:"revocation,omitempty"` // default "prefer"
}

// FileConfig is the -config JSON file of `kense-server serve`. Command-line
// flags override it; relative paths are relative to the file.
type FileConfig struct {
	Addr               string      `json:"addr,omitempty"`
	TLSCert            string      `json:"tlsCert,omitempty"`
	TLSKey             string      `json:"tlsKey,omitempty"`
	Trust              TrustConfig `json:"trust"`
	Demo               bool        `json:"demo,omitempty"`
	IdleLockMinutes    int         `json:"idleLockMinutes,omitempty"`
	SessionIdleMinutes int         `json:"sessionIdleMinutes,omitempty"`
	SessionMaxHours    int         `json:"sessionMaxHours,omitempty"`
	ChallengeSeconds   int         `json:"challengeSeconds,omitempty"`
	MaxFailures        int         `json:"maxFailures,omitempty"`
	LockMinutes        int         `json:"lockMinutes,omitempty"`
	// LatestVersion and DownloadURL: the newest Kense release, announced
	// in the policy (the app tells the user; it never updates itself).
	LatestVersion string `json:"latestVersion,omitempty"`
	DownloadURL   string `json:"downloadUrl,omitempty"`
}

// LoadFileConfig reads and checks a config file (strict JSON).
func LoadFileConfig(path string) (*FileConfig, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c FileConfig
	if err := DecodeStrict(data, &c); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	base := filepath.Dir(path)
	abs := func(p string) string {
		if p == "" || isURL(p) || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(base, p)
	}
	c.TLSCert, c.TLSKey = abs(c.TLSCert), abs(c.TLSKey)
	for _, l := range []*[]string{&c.Trust.Anchors, &c.Trust.Intermediates, &c.Trust.CRLs} {
		for i := range *l {
			(*l)[i] = abs((*l)[i])
		}
	}
	return &c, nil
}

func isURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// CheckRevocationPolicy validates a policy name ("" means prefer).
func CheckRevocationPolicy(p string) (string, error) {
	switch p {
	case "":
		return "prefer", nil
	case "require", "prefer", "off":
		return p, nil
	}
	return "", fmt.Errorf("revocation policy %q: want require, prefer or off", p)
}

// LoadCertificates reads certificates from files (DER or PEM, several PEM
// blocks allowed) or directories (every *.cer, *.crt, *.pem, *.der in them).
func LoadCertificates(paths []string) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		files := []string{p}
		if st.IsDir() {
			files = nil
			ents, err := os.ReadDir(p)
			if err != nil {
				return nil, err
			}
			for _, e := range ents {
				switch strings.ToLower(filepath.Ext(e.Name())) {
				case ".cer", ".crt", ".pem", ".der":
					files = append(files, filepath.Join(p, e.Name()))
				}
			}
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			certs, err := ParseCertificates(data)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			out = append(out, certs...)
		}
	}
	return out, nil
}

// ParseCertificates reads DER or PEM certificates.
func ParseCertificates(data []byte) ([]*x509.Certificate, error) {
	if c, err := x509.ParseCertificate(data); err == nil {
		return []*x509.Certificate{c}, nil
	}
	var out []*x509.Certificate
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("no certificate (DER or PEM) found")
	}
	return out, nil
}

// ParseCRL reads a DER or PEM CRL.
func ParseCRL(data []byte) (*x509.RevocationList, error) {
	if b, _ := pem.Decode(data); b != nil && b.Type == "X509 CRL" {
		data = b.Bytes
	}
	return x509.ParseRevocationList(data)
}

// LoadCRLs reads each CRL from a file or fetches it from an http(s) URL.
func LoadCRLs(ctx context.Context, srcs []string, client *http.Client) ([]*x509.RevocationList, error) {
	var out []*x509.RevocationList
	for _, src := range srcs {
		var data []byte
		var err error
		if isURL(src) {
			data, err = fetch(ctx, src, client)
		} else {
			data, err = os.ReadFile(src)
		}
		if err != nil {
			return nil, fmt.Errorf("CRL %s: %w", src, err)
		}
		crl, err := ParseCRL(data)
		if err != nil {
			return nil, fmt.Errorf("CRL %s: %w", src, err)
		}
		out = append(out, crl)
	}
	return out, nil
}

func fetch(ctx context.Context, url string, client *http.Client) ([]byte, error) {
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %s", resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 64<<20))
}

// MarshalIndent is the config file's canonical form (used by demo mode).
func (c *FileConfig) MarshalIndent() ([]byte, error) { return json.MarshalIndent(c, "", "  ") }
