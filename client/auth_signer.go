package client

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"kense/eds"
	"kense/eds/ncalayer"
	"kense/i18n"
)

// KeyFile is an NCA key file opened for sign-in: its AUTH key, ready to
// sign, and that key's facts for the screen to show before signing (owner,
// IIN, issuer, validity). Close it when done.
type KeyFile struct {
	eds.Signer
	Path string
	Info eds.KeyInfo

	c *eds.Container
}

// Close wipes the key material that Go lets us reach.
func (k *KeyFile) Close() {
	if k != nil && k.c != nil {
		k.c.Wipe()
		k.c = nil
	}
}

// OpenKeyFile reads a key file and picks its AUTH key. password is wiped.
// A wrong password gives an error that errors.Is eds.ErrWrongPassword; a
// file with only a SIGN key gives the "choose the AUTHENTICATION key"
// error before any server is contacted.
func OpenKeyFile(path string, password []byte) (*KeyFile, error) {
	defer clear(password)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &keyFileError{path: path, err: err}
	}
	k, err := ReadKeyFile(data, password)
	if err != nil {
		return nil, err
	}
	k.Path = path
	return k, nil
}

// ReadKeyFile is OpenKeyFile for bytes already read. password is wiped.
func ReadKeyFile(data, password []byte) (*KeyFile, error) {
	defer clear(password)
	c, err := eds.ReadPKCS12(data, password)
	if err != nil {
		return nil, err
	}
	key, err := AuthKey(c, time.Now())
	if err != nil {
		c.Wipe()
		return nil, err
	}
	s, err := key.Signer()
	if err != nil {
		c.Wipe()
		return nil, err
	}
	return &KeyFile{Signer: s, Info: key.Info, c: c}, nil
}

// AuthKey picks the container's authentication key: among the keys with
// the AUTH usage, the one valid at now that lasts longest (or, when none is
// valid, the newest, so that the server explains the expiry). A container
// with only SIGN keys gives eds's wrong_key_usage error for AUTH.
func AuthKey(c *eds.Container, now time.Time) (*eds.Key, error) {
	var best *eds.Key
	valid := func(k *eds.Key) bool { return !now.Before(k.Info.NotBefore) && !now.After(k.Info.NotAfter) }
	for _, k := range c.Keys {
		if k == nil || k.Cert == nil || !hasUsage(k.Info.KeyUsage, "AUTH") {
			continue
		}
		switch {
		case best == nil,
			valid(k) && !valid(best),
			valid(k) == valid(best) && k.Info.NotAfter.After(best.Info.NotAfter):
			best = k
		}
	}
	if best != nil {
		return best, nil
	}
	if len(c.Keys) == 0 {
		return nil, &eds.Error{Code: eds.CodeBadContainer, Detail: "no keys in the container"}
	}
	return nil, &eds.Error{Code: eds.CodeWrongKeyUsage, Want: "AUTH", Detail: "the container holds no AUTH key"}
}

func hasUsage(list, u string) bool {
	for _, x := range strings.Split(list, ",") {
		if strings.TrimSpace(x) == u {
			return true
		}
	}
	return false
}

// NCALayerSigner signs through NCALayer, offering the user only
// authentication keys. The key is chosen in NCALayer's own window, so its
// facts are known only after signing (Certificate()).
func NCALayerSigner(lang i18n.Lang) *ncalayer.Client {
	return &ncalayer.Client{Purpose: eds.EKUAuth, Locale: lang}
}

// keyFileError: the key file itself could not be read (missing, no access).
type keyFileError struct {
	path string
	err  error
}

func (e *keyFileError) Error() string { return fmt.Sprintf("key file %s: %v", e.path, e.err) }
func (e *keyFileError) Unwrap() error { return e.err }

func (e *keyFileError) UserMessage(lang i18n.Lang) string {
	return i18n.TL(lang, "client.err.key_file", "file", filepath.Base(e.path))
}
