//go:build windows

package keyprotect

import (
	"unsafe"

	"golang.org/x/sys/windows"
)

// DPAPI wraps secrets with CryptProtectData for the current Windows user
// (no cgo: crypt32.dll through golang.org/x/sys/windows). The context
// becomes DPAPI's optional entropy, so a blob made for one account does
// not unwrap for another.
//
// It protects against: another Windows user on the machine, the file
// copied to another machine or read offline from the disk (unless the
// attacker also has the user's password, or a domain backup key). Not
// against: malware or anyone running as this user while logged in, and
// administrators who can act as the user.
type DPAPI struct{}

func (DPAPI) Name() string { return "dpapi" }

var dpapiDescription, _ = windows.UTF16PtrFromString("Kense data key")

// Protect wraps secret with the user's DPAPI master key.
func (DPAPI) Protect(secret, context []byte) ([]byte, error) {
	if err := checkSecret(secret); err != nil {
		return nil, err
	}
	ent := entropy(context)
	in := blob(secret)
	e := blob(ent)
	var out windows.DataBlob
	if err := windows.CryptProtectData(&in, dpapiDescription, &e, 0, nil, windows.CRYPTPROTECT_UI_FORBIDDEN, &out); err != nil {
		return nil, newErr(ErrUnavailable, err)
	}
	defer freeBlob(&out, false)
	return append([]byte(nil), unsafe.Slice(out.Data, out.Size)...), nil
}

// Unprotect unwraps a blob made by Protect for this user and context.
func (DPAPI) Unprotect(b, context []byte) ([]byte, error) {
	if len(b) == 0 {
		return nil, newErr(ErrUnwrap, errBadBlob)
	}
	ent := entropy(context)
	in := blob(b)
	e := blob(ent)
	var out windows.DataBlob
	if err := windows.CryptUnprotectData(&in, nil, &e, 0, nil, windows.CRYPTPROTECT_UI_FORBIDDEN, &out); err != nil {
		// Wrong user, machine or entropy and a damaged blob all fail
		// here; DPAPI does not say which.
		return nil, newErr(ErrUnwrap, err)
	}
	defer freeBlob(&out, true)
	return append([]byte(nil), unsafe.Slice(out.Data, out.Size)...), nil
}

func blob(b []byte) windows.DataBlob {
	return windows.DataBlob{Size: uint32(len(b)), Data: unsafe.SliceData(b)}
}

// freeBlob releases a buffer DPAPI allocated, wiping it first when it
// held the clear secret.
func freeBlob(b *windows.DataBlob, wipe bool) {
	if b.Data == nil {
		return
	}
	if wipe {
		clear(unsafe.Slice(b.Data, b.Size))
	}
	_, _ = windows.LocalFree(windows.Handle(unsafe.Pointer(b.Data)))
}
