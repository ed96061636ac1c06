package keyprotect

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"kense/i18n"
)

func TestFileKEKRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Kense", "keys")
	p := &FileKEK{Dir: dir}
	secret := bytes.Repeat([]byte{0xA5}, 32)
	ctx := []byte("kense/cache/dek/v1\x00921029350851")
	blob, err := p.Protect(secret, ctx)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(blob, secret[:8]) {
		t.Fatal("the blob shows the secret")
	}
	got, err := p.Unprotect(blob, ctx)
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("unwrapped %x, %v", got, err)
	}
	again, _ := p.Protect(secret, ctx)
	if bytes.Equal(again, blob) {
		t.Fatal("two wraps are equal: no fresh nonce")
	}
	// A new FileKEK on the same folder (the next start) reads the same KEK.
	if got, err := (&FileKEK{Dir: dir}).Unprotect(blob, ctx); err != nil || !bytes.Equal(got, secret) {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		fi, _ := os.Stat(filepath.Join(dir, kekFile))
		di, _ := os.Stat(dir)
		if fi.Mode().Perm() != 0o600 || di.Mode().Perm() != 0o700 {
			t.Fatalf("key file %v, folder %v", fi.Mode(), di.Mode())
		}
	}
	if p.Name() != "file" {
		t.Fatal(p.Name())
	}
}

func TestFileKEKRefuses(t *testing.T) {
	dir := t.TempDir()
	p := &FileKEK{Dir: filepath.Join(dir, "keys")}
	secret := []byte("0123456789abcdef0123456789abcdef")
	blob, err := p.Protect(secret, []byte("account A"))
	if err != nil {
		t.Fatal(err)
	}
	bad := func(name string, q *FileKEK, b, ctx []byte, want *Error) {
		t.Helper()
		got, err := q.Unprotect(b, ctx)
		if !errors.Is(err, want) || got != nil {
			t.Fatalf("%s: %x, %v", name, got, err)
		}
	}
	bad("other context", p, blob, []byte("account B"), ErrUnwrap)
	bad("no context", p, blob, nil, ErrUnwrap)
	for i := range blob {
		b := bytes.Clone(blob)
		b[i] ^= 0x10
		bad("flipped byte", p, b, []byte("account A"), ErrUnwrap)
	}
	bad("cut", p, blob[:len(blob)-1], []byte("account A"), ErrUnwrap)
	bad("empty", p, nil, []byte("account A"), ErrUnwrap)

	// Another folder: Unprotect does not make a KEK (it could not open
	// anything), and with a KEK of its own it still cannot.
	other := &FileKEK{Dir: filepath.Join(dir, "other")}
	bad("no key file", other, blob, []byte("account A"), ErrUnwrap)
	if _, err := os.Stat(other.Dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("Unprotect made a key folder")
	}
	if _, err := other.Protect(secret, nil); err != nil {
		t.Fatal(err)
	}
	bad("other KEK", other, blob, []byte("account A"), ErrUnwrap)

	// A damaged key file.
	if err := os.WriteFile(filepath.Join(other.Dir, kekFile), []byte("kense-kek-v1\nshort"), 0o600); err != nil {
		t.Fatal(err)
	}
	bad("damaged key file", other, blob, []byte("account A"), ErrUnwrap)

	if runtime.GOOS != "windows" {
		if err := os.Chmod(filepath.Join(p.Dir, kekFile), 0o644); err != nil {
			t.Fatal(err)
		}
		bad("key file readable by others", p, blob, []byte("account A"), ErrUnavailable)
		if _, err := p.Protect(secret, nil); !errors.Is(err, ErrUnavailable) {
			t.Fatal(err)
		}
	}
	for _, s := range [][]byte{nil, make([]byte, maxSecret+1)} {
		if _, err := p.Protect(s, nil); !errors.Is(err, ErrUnavailable) {
			t.Fatalf("secret of %d bytes: %v", len(s), err)
		}
	}
	if _, err := (&FileKEK{}).Protect(secret, nil); !errors.Is(err, ErrUnavailable) {
		t.Fatal(err)
	}
}

// Two first starts at once keep one KEK: both wraps unwrap.
func TestFileKEKConcurrentCreate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	var wg sync.WaitGroup
	blobs := make([][]byte, 4)
	errs := make([]error, 4)
	for i := range blobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			blobs[i], errs[i] = (&FileKEK{Dir: dir}).Protect([]byte("same secret, 32 bytes long......"), nil)
		}()
	}
	wg.Wait()
	for i, b := range blobs {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if _, err := (&FileKEK{Dir: dir}).Unprotect(b, nil); err != nil {
			t.Fatalf("wrap %d: %v", i, err)
		}
	}
}

func TestPlatformRoundTrip(t *testing.T) {
	p := Platform(filepath.Join(t.TempDir(), "keys"))
	secret := bytes.Repeat([]byte{1, 2, 3, 4}, 8)
	blob, err := p.Protect(secret, []byte("ctx"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Unprotect(blob, []byte("ctx"))
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("%s: %x, %v", p.Name(), got, err)
	}
	if _, err := p.Unprotect(blob, []byte("other")); !errors.Is(err, ErrUnwrap) {
		t.Fatalf("%s, other context: %v", p.Name(), err)
	}
}

func TestDefaultDir(t *testing.T) {
	d, err := DefaultDir()
	if err != nil {
		t.Skip("no config folder:", err)
	}
	if filepath.Base(d) != "keys" || filepath.Base(filepath.Dir(d)) != "Kense" {
		t.Fatal(d)
	}
}

func TestEntropyBindsContext(t *testing.T) {
	a, b := entropy([]byte("870412300100")), entropy([]byte("880101300000"))
	if len(a) != 32 || bytes.Equal(a, b) || bytes.Equal(entropy(nil), entropy([]byte{0})) {
		t.Fatal("entropy does not tell contexts apart")
	}
}

func TestMessagesTranslated(t *testing.T) {
	for _, e := range []*Error{ErrUnwrap, ErrUnavailable} {
		kk, ru, en := e.UserMessage(i18n.KK), e.UserMessage(i18n.RU), e.UserMessage(i18n.EN)
		if kk == en || ru == en || strings.HasPrefix(en, "kp.") {
			t.Fatalf("%s: %q %q %q", e.Key, kk, ru, en)
		}
	}
}

// FuzzUnprotect: a wrapped key comes from the cache file, outside data.
// Whatever it holds, Unprotect gives the secret it wrapped or ErrUnwrap.
func FuzzUnprotect(f *testing.F) {
	p := &FileKEK{Dir: filepath.Join(f.TempDir(), "keys")}
	secret := bytes.Repeat([]byte{9}, 32)
	blob, err := p.Protect(secret, []byte("ctx"))
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range [][]byte{blob, blob[:blobOverhead], blob[:blobOverhead-1], {}, {'f'}, {'w', 4, 'f'}} {
		f.Add(seed, []byte("ctx"))
	}
	f.Fuzz(func(t *testing.T, b, ctx []byte) {
		got, err := p.Unprotect(b, ctx)
		if err != nil {
			if !errors.Is(err, ErrUnwrap) || got != nil {
				t.Fatalf("%x, %v", got, err)
			}
			return
		}
		if !bytes.Equal(got, secret) || !bytes.Equal(ctx, []byte("ctx")) {
			t.Fatalf("unwrapped %x with context %q", got, ctx)
		}
	})
}
