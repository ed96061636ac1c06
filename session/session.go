// Package session holds the desktop app's signed-in state: the server, the
// account, the session token (in memory only, inside client.Client), the
// server's policy and which key signed in. It signs in and out through
// package client, and proves "the same person" again when the idle lock is
// lifted. It imports no Fyne: package sessionui adapts it to the screens.
package session

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"crypto/x509"
	"errors"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"

	"kense/api"
	"kense/client"
	"kense/deploy"
	"kense/eds"
	"kense/eds/ncalayer"
	"kense/i18n"
	"kense/version"
)

// DefaultIdleLock is the idle lock when the server's policy is unknown
// (working offline before any sign-in): UNIS rule 10.4 leaves no default
// open, so the app picks a safe one.
const DefaultIdleLock = 10 * time.Minute

// Options tunes a Session; zero values take the defaults.
type Options struct {
	// Client tunes the HTTP client (timeouts, private CA).
	Client client.Options
	// NCALayerURL: "" means NCALayer's own address (tests use a fake).
	NCALayerURL string
	// Lang is the user's language for NCALayer's window; nil: i18n.Current.
	Lang func() i18n.Lang
	// Now is the clock; nil: time.Now.
	Now func() time.Time
	// Version is the running app's version, compared with the latest
	// release the server announces; "": version.Version.
	Version string
}

// Request is one sign-in attempt.
type Request struct {
	// Server is the address as the user typed it ("kense.example.kz").
	Server string
	// NCALayer signs through NCALayer; otherwise the key file opened by
	// OpenKeyFile signs.
	NCALayer bool
	// Login and Password: RER SDB accounts only. Password is wiped.
	Login    string
	Password []byte
}

// Result is a successful sign-in.
type Result struct {
	Account  api.Account
	Warnings []api.Warning
	Policy   api.Policy
	// Key is the certificate that signed in (for NCALayer known only now).
	Key eds.KeyInfo
	// Update is the newer release the server announces (its policy's
	// latestVersion and downloadUrl); nil when the app is up to date.
	Update *deploy.Offer
	// PasswordChangeRequired (RER SDB): the session may do nothing but
	// change the password (ChangePassword) until it is changed;
	// PasswordChangeReason is api.PasswordPrimary, PasswordExpired or
	// PasswordCompromised (rules 14, 16, 17).
	PasswordChangeRequired bool
	PasswordChangeReason   string
}

// Session is the app's one connection to kense-server. Safe for
// concurrent use.
type Session struct {
	opt Options

	mu        sync.Mutex
	c         *client.Client
	policy    api.Policy
	hasPolicy bool
	key       *client.KeyFile // opened, waiting for SignIn
	in        *signedIn       // nil when signed out
}

// signedIn is what is kept of a sign-in to prove the same person later.
// No password is kept: only a salted hash of the RER SDB password (in
// memory), for an unlock while the server cannot be reached.
type signedIn struct {
	account  api.Account
	ncalayer bool
	keyPath  string
	cert     *x509.Certificate
	login    string
	pwSalt   []byte
	pwHash   []byte
}

// New makes a signed-out Session.
func New(opt Options) *Session { return &Session{opt: opt} }

func (s *Session) now() time.Time {
	if s.opt.Now != nil {
		return s.opt.Now()
	}
	return time.Now()
}

func (s *Session) lang() i18n.Lang {
	if s.opt.Lang != nil {
		return s.opt.Lang()
	}
	return i18n.Current()
}

// Connect checks the address, points the session at it and fetches the
// server's policy (no sign-in needed; it says whether it is a demo).
func (s *Session) Connect(ctx context.Context, server string) (api.Policy, error) {
	c, err := s.clientFor(server)
	if err != nil {
		return api.Policy{}, err
	}
	p, err := c.Policy(ctx)
	if err != nil {
		return api.Policy{}, err
	}
	s.mu.Lock()
	if s.c == c {
		s.policy, s.hasPolicy = p, true
	}
	s.mu.Unlock()
	return p, nil
}

// clientFor is the client for server: the current one when the address is
// the same, else a new one (a signed-in session is never moved).
func (s *Session) clientFor(server string) (*client.Client, error) {
	base, err := client.ParseServerURL(server)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.c != nil && s.c.BaseURL() == base {
		return s.c, nil
	}
	if s.in != nil {
		return nil, errSignedIn
	}
	s.c = client.New(base, s.opt.Client)
	s.policy, s.hasPolicy = api.Policy{}, false
	return s.c, nil
}

// OpenKeyFile reads a key file with its password (wiped) and keeps its
// AUTH key for SignIn; it returns the facts to show before signing. A file
// holding only a SIGN key gives that key's facts AND an error that
// errors.Is(err, &eds.Error{Code: eds.CodeWrongKeyUsage}) — the screen shows
// whose key it is and says to pick the authentication key.
func (s *Session) OpenKeyFile(path string, password []byte) (eds.KeyInfo, error) {
	defer clear(password)
	again := bytes.Clone(password) // OpenKeyFile wipes its copy
	defer clear(again)
	s.CloseKey()
	k, err := client.OpenKeyFile(path, password)
	if err != nil {
		var ee *eds.Error
		if errors.As(err, &ee) && ee.Code == eds.CodeWrongKeyUsage {
			return signKeyFacts(path, again), err
		}
		return eds.KeyInfo{}, err
	}
	s.mu.Lock()
	s.key = k
	s.mu.Unlock()
	return k.Info, nil
}

// signKeyFacts reads the facts of a container's first key (password already
// proven right), so a SIGN key can be named on the screen.
func signKeyFacts(path string, password []byte) eds.KeyInfo {
	data, err := os.ReadFile(path)
	if err != nil {
		return eds.KeyInfo{}
	}
	c, cerr := eds.ReadPKCS12(data, password)
	if cerr != nil || len(c.Keys) == 0 {
		return eds.KeyInfo{}
	}
	defer c.Wipe()
	return c.Keys[0].Info
}

// CloseKey forgets an opened key file that has not signed in.
func (s *Session) CloseKey() {
	s.mu.Lock()
	k := s.key
	s.key = nil
	s.mu.Unlock()
	k.Close()
}

// SignIn signs in with the opened key file or NCALayer. req.Password is
// wiped. On success the opened key file is closed (the unlock opens it
// again with its password).
func (s *Session) SignIn(ctx context.Context, req Request) (*Result, error) {
	defer clear(req.Password)
	c, err := s.clientFor(req.Server)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	policy, hasPolicy := s.policy, s.hasPolicy
	key := s.key
	s.mu.Unlock()
	if !hasPolicy {
		if policy, err = s.Connect(ctx, req.Server); err != nil {
			return nil, err
		}
	}
	var signer eds.Signer
	path := ""
	if req.NCALayer {
		signer = s.ncaLayer()
	} else {
		if key == nil {
			return nil, errNoKey
		}
		signer, path = key, key.Path
	}
	var salt, hash []byte
	if len(req.Password) > 0 {
		salt, hash = hashPassword(req.Password)
	}
	res, err := c.SignIn(ctx, signer, strings.TrimSpace(req.Login), req.Password)
	if err != nil {
		return nil, err
	}
	cert := signer.Certificate()
	s.mu.Lock()
	s.in = &signedIn{account: res.Account, ncalayer: req.NCALayer, keyPath: path, cert: cert,
		login: strings.TrimSpace(req.Login), pwSalt: salt, pwHash: hash}
	if s.key == key {
		s.key = nil
	}
	s.mu.Unlock()
	if key != nil {
		key.Close()
	}
	out := &Result{Account: res.Account, Warnings: res.Warnings, Policy: policy, Key: eds.Facts(cert),
		PasswordChangeRequired: res.PasswordChangeRequired, PasswordChangeReason: res.PasswordChangeReason}
	if o, ok := s.offer(policy); ok {
		out.Update = &o
	}
	return out, nil
}

// offer is the policy's announced release when it is newer than this app.
func (s *Session) offer(p api.Policy) (deploy.Offer, bool) {
	current := s.opt.Version
	if current == "" {
		current = version.Version
	}
	return deploy.CheckOffer(current, p.LatestVersion, p.DownloadURL)
}

// NCALayerURL is where the session reaches NCALayer ("": NCALayer's own
// address), for the app's other signatures through it (an application's)
// to go to the same place.
func (s *Session) NCALayerURL() string { return s.opt.NCALayerURL }

func (s *Session) ncaLayer() *ncalayer.Client {
	n := client.NCALayerSigner(s.lang())
	n.URL = s.opt.NCALayerURL
	return n
}

// SignOut ends the session (on the server when it can be reached) and
// forgets everything about the person.
func (s *Session) SignOut(ctx context.Context) error {
	s.mu.Lock()
	c := s.c
	s.in = nil
	s.mu.Unlock()
	s.CloseKey()
	if c == nil {
		return nil
	}
	return c.SignOut(ctx)
}

// SignedIn reports whether someone is signed in.
func (s *Session) SignedIn() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.in != nil
}

// Account is the signed-in account (zero when signed out).
func (s *Session) Account() api.Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.in == nil {
		return api.Account{}
	}
	return s.in.account
}

// Client is the signed-in client, for the other calls (sync); nil before
// Connect.
func (s *Session) Client() *client.Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.c
}

// Policy is the server's policy, once fetched.
func (s *Session) Policy() (api.Policy, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.policy, s.hasPolicy
}

// Demo reports a demo server (its keys and accounts are not real).
func (s *Session) Demo() bool {
	p, ok := s.Policy()
	return ok && p.Demo
}

// IdleLock is the server's idle lock (DefaultIdleLock when unknown).
func (s *Session) IdleLock() time.Duration {
	if p, ok := s.Policy(); ok && p.IdleLockMinutes > 0 {
		return time.Duration(p.IdleLockMinutes) * time.Minute
	}
	return DefaultIdleLock
}

// UnlockNeeds says what the unlock asks for: the key file's password (not
// for NCALayer, which asks in its own window) and, for RER SDB accounts,
// the account password.
func (s *Session) UnlockNeeds() (keyPassword, rerPassword bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.in == nil {
		return false, false
	}
	return !s.in.ncalayer, s.in.account.Kind == api.KindRER
}

// Unlock proves that the person at the keyboard is the one signed in: the
// same key (the same certificate) signs a fresh server challenge, and the
// server checks the account again (and the RER SDB password). When the
// server cannot be reached, possession of the same key is proven here and
// the RER SDB password is checked against the hash kept in memory. Both
// passwords are wiped. A fresh session replaces the old one.
func (s *Session) Unlock(ctx context.Context, keyPassword, rerPassword []byte) error {
	defer clear(keyPassword)
	defer clear(rerPassword)
	s.mu.Lock()
	in, c := s.in, s.c
	s.mu.Unlock()
	if in == nil || c == nil {
		return errNotSignedIn
	}
	if in.account.Kind == api.KindRER && len(rerPassword) == 0 {
		return errRERPassword
	}
	var signer eds.Signer
	if in.ncalayer {
		signer = s.ncaLayer()
	} else {
		if len(keyPassword) == 0 {
			return errKeyPassword
		}
		k, err := client.OpenKeyFile(in.keyPath, keyPassword)
		if err != nil {
			return err
		}
		defer k.Close()
		if !sameCert(k.Certificate(), in.cert) {
			return ErrDifferentPerson
		}
		signer = k
	}
	fresh := client.New(c.BaseURL(), s.opt.Client)
	res, err := fresh.SignIn(ctx, signer, in.login, bytes.Clone(rerPassword))
	switch {
	case client.IsOffline(err):
		return s.unlockOffline(signer, in, rerPassword)
	case err != nil:
		return err
	}
	if res.Account.IIN != in.account.IIN || !sameCert(signer.Certificate(), in.cert) {
		_ = fresh.SignOut(ctx)
		return ErrDifferentPerson
	}
	s.mu.Lock()
	if s.in != in || s.c != c { // signed out meanwhile
		s.mu.Unlock()
		_ = fresh.SignOut(ctx)
		return errNotSignedIn
	}
	old := c.Token()
	c.SetToken(res.Token)
	in.account = res.Account
	s.mu.Unlock()
	// The session the lock interrupted ends now rather than at its timeout.
	fresh.SetToken(old)
	_ = fresh.SignOut(ctx)
	return nil
}

// unlockOffline proves possession of the signed-in key without the server:
// it signs a random challenge and checks that signature against the
// certificate that signed in.
func (s *Session) unlockOffline(signer eds.Signer, in *signedIn, rerPassword []byte) error {
	var nonce [32]byte
	rand.Read(nonce[:])
	cms, err := signer.SignCMS(nonce[:], false, s.now())
	if err != nil {
		return err
	}
	if !sameCert(signer.Certificate(), in.cert) {
		return ErrDifferentPerson
	}
	v := eds.Verifier{Anchors: []*x509.Certificate{in.cert}, Policy: eds.RevocationOff, Now: s.now}
	r, err := v.VerifyCMS(cms, nonce[:], "")
	if err != nil {
		return err
	}
	if !sameCert(r.Cert, in.cert) {
		return ErrDifferentPerson
	}
	if in.account.Kind == api.KindRER && !checkPassword(rerPassword, in.pwSalt, in.pwHash) {
		return errRERPasswordWrong
	}
	return nil
}

func sameCert(a, b *x509.Certificate) bool {
	return a != nil && b != nil && bytes.Equal(a.Raw, b.Raw)
}

// The RER SDB password hash kept in memory for an offline unlock: argon2id
// so that a memory dump does not give the password away cheaply.
const (
	pwTime   = 1
	pwMemKiB = 19 * 1024
	pwLen    = 32
)

func hashPassword(pw []byte) (salt, hash []byte) {
	salt = make([]byte, 16)
	rand.Read(salt)
	return salt, argon2.IDKey(pw, salt, pwTime, pwMemKiB, 1, pwLen)
}

func checkPassword(pw, salt, hash []byte) bool {
	if len(salt) == 0 || len(hash) == 0 {
		return false
	}
	got := argon2.IDKey(pw, salt, pwTime, pwMemKiB, 1, pwLen)
	return subtle.ConstantTimeCompare(got, hash) == 1
}
