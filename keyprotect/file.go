package keyprotect

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// FileKEK is the fallback where no platform keyring is available: a
// random 256-bit key-encryption key (KEK) in Dir/kek.bin, made on first
// use with mode 0600 in a 0700 folder, and AES-256-GCM wrapping with the
// context as additional data.
//
// What it protects against: a cache file copied (or backed up, or mailed)
// without the key folder reveals nothing. What not: the same OS user, an
// administrator/root, or malware running as the user can read the KEK and
// unwrap everything; so can whoever copies the whole config folder.
type FileKEK struct {
	Dir string
}

const (
	kekFile    = "kek.bin"
	kekMagic   = "kense-kek-v1\n"
	kekLen     = 32
	blobFormat = 'f'
	kekIDLen   = 8
	nonceLen   = 12
	// blob: format | KEK id | nonce | sealed secret and tag
	blobOverhead = 1 + kekIDLen + nonceLen + 16
)

func (*FileKEK) Name() string { return "file" }

// Protect wraps secret with the KEK, making the KEK file when missing.
func (f *FileKEK) Protect(secret, context []byte) ([]byte, error) {
	if err := checkSecret(secret); err != nil {
		return nil, err
	}
	kek, err := f.load(true)
	if err != nil {
		return nil, err
	}
	defer clear(kek)
	aead, err := newGCM(kek)
	if err != nil {
		return nil, newErr(ErrUnavailable, err)
	}
	id := kekID(kek)
	out := make([]byte, 1+kekIDLen+nonceLen, blobOverhead+len(secret))
	out[0] = blobFormat
	copy(out[1:], id[:])
	if _, err := io.ReadFull(rand.Reader, out[1+kekIDLen:]); err != nil {
		return nil, newErr(ErrUnavailable, err)
	}
	return aead.Seal(out, out[1+kekIDLen:], secret, fileAAD(context)), nil
}

// Unprotect unwraps a blob made by Protect with the same KEK and context.
// A missing KEK file is ErrUnwrap: a new KEK could not open old blobs.
func (f *FileKEK) Unprotect(blob, context []byte) ([]byte, error) {
	if len(blob) < blobOverhead || blob[0] != blobFormat {
		return nil, newErr(ErrUnwrap, errBadBlob)
	}
	kek, err := f.load(false)
	if err != nil {
		return nil, err
	}
	defer clear(kek)
	if id := kekID(kek); !bytes.Equal(id[:], blob[1:1+kekIDLen]) {
		return nil, errorf(ErrUnwrap, "wrapped with another key-encryption key than %s", f.path())
	}
	aead, err := newGCM(kek)
	if err != nil {
		return nil, newErr(ErrUnavailable, err)
	}
	nonce := blob[1+kekIDLen : 1+kekIDLen+nonceLen]
	secret, err := aead.Open(nil, nonce, blob[1+kekIDLen+nonceLen:], fileAAD(context))
	if err != nil {
		return nil, errorf(ErrUnwrap, "wrong context or damaged blob")
	}
	return secret, nil
}

func (f *FileKEK) path() string { return filepath.Join(f.Dir, kekFile) }

// load reads the KEK, making it first when create is set. The caller
// wipes the result.
func (f *FileKEK) load(create bool) ([]byte, error) {
	if f.Dir == "" {
		return nil, errorf(ErrUnavailable, "no key folder")
	}
	p := f.path()
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		if !create {
			return nil, errorf(ErrUnwrap, "no key-encryption key at %s", p)
		}
		if err := f.create(); err != nil {
			return nil, err
		}
		data, err = os.ReadFile(p)
	}
	if err != nil {
		return nil, newErr(ErrUnavailable, err)
	}
	defer clear(data)
	if runtime.GOOS != "windows" { // Windows has ACLs, not mode bits
		if fi, err := os.Stat(p); err == nil && fi.Mode().Perm()&0o077 != 0 {
			// Like ssh with a private key: refuse rather than trust a
			// key others may have read.
			return nil, errorf(ErrUnavailable, "%s is readable by other users (mode %v)", p, fi.Mode().Perm())
		}
	}
	if len(data) != len(kekMagic)+kekLen || string(data[:len(kekMagic)]) != kekMagic {
		return nil, errorf(ErrUnwrap, "%s is not a Kense key-encryption key", p)
	}
	return bytes.Clone(data[len(kekMagic):]), nil
}

// create writes a new KEK; O_EXCL makes a concurrent first start keep the
// file the other one wrote.
func (f *FileKEK) create() error {
	if err := os.MkdirAll(f.Dir, 0o700); err != nil {
		return newErr(ErrUnavailable, err)
	}
	buf := make([]byte, len(kekMagic)+kekLen)
	defer clear(buf)
	copy(buf, kekMagic)
	if _, err := io.ReadFull(rand.Reader, buf[len(kekMagic):]); err != nil {
		return newErr(ErrUnavailable, err)
	}
	fh, err := os.OpenFile(f.path(), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return newErr(ErrUnavailable, err)
	}
	_, werr := fh.Write(buf)
	if werr == nil {
		werr = fh.Sync()
	}
	if cerr := fh.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		_ = os.Remove(f.path())
		return newErr(ErrUnavailable, fmt.Errorf("writing %s: %w", f.path(), werr))
	}
	return nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// kekID names a KEK without revealing it, so that a blob wrapped by a
// replaced KEK gets a clear error.
func kekID(kek []byte) [kekIDLen]byte {
	h := sha256.New() // no appended copy of the KEK left behind
	h.Write([]byte("kense/keyprotect/kek-id/v1\x00"))
	h.Write(kek)
	var id [kekIDLen]byte
	copy(id[:], h.Sum(nil))
	return id
}

func fileAAD(context []byte) []byte {
	return append([]byte("kense/keyprotect/file/v1\x00"), context...)
}
