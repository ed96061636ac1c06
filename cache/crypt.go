package cache

// Sealed values (issue 5, "Security of what stays on disk").
//
// Every value the codec writes is sealed with AES-256-GCM under a 32-byte
// data key: format byte 'g', the key's 8-byte ID, a random 96-bit nonce,
// then ciphertext and tag. The additional data binds the format, key ID,
// bucket and key, so a value moved under another key or bucket fails
// authentication instead of being read as something else. Plain 'j'
// values from before sealing are still read and get sealed on their next
// write, or all at once by Reseal (which Open runs).
//
// Data keys are random, one per (OS user, Kense account) plus one for the
// offline local profile (account ""), used when nobody is signed in so
// that the form works with no network and no sign-in (issue 2). Each is
// wrapped by a keyprotect.Protector (DPAPI on Windows, a key file
// elsewhere) bound to the account, and stored in the meta bucket:
//
//	meta  "dek.local"              → wrapped local-profile key
//	meta  "dek.acct."+hex(16 bytes) → wrapped key of one account; the
//	      16 bytes are HMAC-SHA256(local key, account), so the file
//	      alone does not reveal (or let one brute-force) the account IIN.
//
// Unlock(account) loads the account's key (and the local profile's, to
// read drafts made offline before signing in; they are sealed with the
// account's key on their next write). Lock wipes the keys; until the next
// Unlock every Store method returns ErrLocked.
//
// Which key seals a value depends on its bucket: the account's work
// (drafts, outbox, conflicts, and any bucket not listed in osUserBuckets)
// gets the signed-in account's key; what belongs to the OS user across
// accounts — settings (the sign-in screen reads the last key file before
// anyone signs in), sync state and sync meta (shared between the accounts
// of this OS user) — gets the local profile's key.

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sync"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"kense/keyprotect"
)

const formatSealed byte = 'g' // AES-256-GCM sealed JSON

const (
	dataKeyLen   = 32
	keyIDLen     = 8
	sealNonceLen = 12
	sealTagLen   = 16
	sealHeader   = 1 + keyIDLen + sealNonceLen
	sealOverhead = sealHeader + sealTagLen
)

var (
	// ErrLocked: the store is locked (idle lock, sign-out) and has no
	// key until Unlock.
	ErrLocked = &Error{Key: "kp.cache.locked"}
	// ErrOtherAccount: a value sealed with the key of an account that is
	// not the one unlocked (or of a key since lost).
	ErrOtherAccount = &Error{Key: "kp.cache.other_account"}
	// ErrKey: the data key cannot be unwrapped or stored: the file came
	// from another OS user or computer, or the platform protection failed.
	ErrKey = &Error{Key: "kp.cache.key"}
)

// osUserBuckets are sealed with the local profile's key whoever is
// signed in (see above).
var osUserBuckets = [][]byte{bucketSettings, bucketSyncState, bucketSyncMeta}

func sealedForOSUser(bucket []byte) bool {
	for _, b := range osUserBuckets {
		if bytes.Equal(b, bucket) {
			return true
		}
	}
	return false
}

var (
	keyLocalSlot   = []byte("dek.local")
	keyAccountSlot = "dek.acct."
)

// dataKey is an unwrapped data key; wipe clears it.
type dataKey struct {
	id   [keyIDLen]byte
	raw  []byte
	aead cipher.AEAD
}

// newDataKey takes ownership of raw.
func newDataKey(raw []byte) (*dataKey, error) {
	if len(raw) != dataKeyLen {
		clear(raw)
		return nil, fmt.Errorf("data key of %d bytes", len(raw))
	}
	b, err := aes.NewCipher(raw)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(b)
	if err != nil {
		return nil, err
	}
	k := &dataKey{raw: raw, aead: aead}
	m := hmac.New(sha256.New, raw)
	m.Write([]byte("kense/cache/key-id/v1"))
	copy(k.id[:], m.Sum(nil))
	return k, nil
}

// wipe clears the raw key. The AES key schedule inside aead cannot be
// reached from Go; dropping it leaves it to the garbage collector.
func (k *dataKey) wipe() {
	clear(k.raw)
	k.aead = nil
}

// sealCodec is the codec of a store opened with Open.
type sealCodec struct {
	mu      sync.RWMutex
	active  *dataKey   // seals the account's writes; nil while locked
	local   *dataKey   // seals osUserBuckets; nil while locked
	keys    []*dataKey // open reads: active and local
	account string
	kp      keyprotect.Protector // Open's protector, for Unlock(…, nil)
}

func (c *sealCodec) locked() bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.active == nil
}

// set replaces the keys, wiping the old ones no longer used.
func (c *sealCodec) set(active, local *dataKey, keys []*dataKey, account string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, old := range c.keys {
		if !containsKey(keys, old) {
			old.wipe()
		}
	}
	c.active, c.local, c.keys, c.account = active, local, keys, account
}

func containsKey(keys []*dataKey, k *dataKey) bool {
	for _, x := range keys {
		if x == k {
			return true
		}
	}
	return false
}

func (c *sealCodec) find(id []byte) *dataKey {
	for _, k := range c.keys {
		if bytes.Equal(k.id[:], id) {
			return k
		}
	}
	return nil
}

// sealAAD is what a sealed value is bound to besides its key: format,
// key ID, bucket (length-prefixed, so bucket/key splits cannot collide)
// and key.
func sealAAD(bucket, key, id []byte) []byte {
	a := make([]byte, 0, 16+1+keyIDLen+binary.MaxVarintLen64+len(bucket)+len(key))
	a = append(a, "kense/cache/v1\x00"...)
	a = append(a, formatSealed)
	a = append(a, id...)
	a = binary.AppendUvarint(a, uint64(len(bucket)))
	a = append(a, bucket...)
	return append(a, key...)
}

func (c *sealCodec) encode(bucket, key []byte, v any) ([]byte, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	defer clear(plain)
	c.mu.RLock()
	defer c.mu.RUnlock()
	k := c.active
	if sealedForOSUser(bucket) {
		k = c.local
	}
	if k == nil {
		return nil, newErr(ErrLocked, "", nil)
	}
	out := make([]byte, sealHeader, sealOverhead+len(plain))
	out[0] = formatSealed
	copy(out[1:], k.id[:])
	nonce := out[1+keyIDLen : sealHeader]
	if _, err := io.ReadFull(rand.Reader, nonce); err != nil {
		return nil, err
	}
	return k.aead.Seal(out, nonce, plain, sealAAD(bucket, key, k.id[:])), nil
}

func (c *sealCodec) decode(bucket, key, data []byte, v any) error {
	if len(data) == 0 || data[0] != formatSealed {
		return jsonCodec{}.decode(bucket, key, data, v) // plain, empty or unknown
	}
	if len(data) < sealOverhead {
		return fmt.Errorf("%s/%q: sealed value of %d bytes is cut short", bucket, key, len(data))
	}
	id := data[1 : 1+keyIDLen]
	c.mu.RLock()
	k := c.find(id)
	if k == nil {
		locked := c.active == nil
		c.mu.RUnlock()
		if locked {
			return newErr(ErrLocked, "", fmt.Errorf("%s/%q", bucket, key))
		}
		return newErr(ErrOtherAccount, "", fmt.Errorf("%s/%q sealed with key %x", bucket, key, id))
	}
	plain, err := k.aead.Open(nil, data[1+keyIDLen:sealHeader], data[sealHeader:], sealAAD(bucket, key, id))
	c.mu.RUnlock()
	if err != nil {
		return fmt.Errorf("%s/%q: sealed value fails authentication (damaged or tampered with)", bucket, key)
	}
	defer clear(plain)
	if err := json.Unmarshal(plain, v); err != nil {
		return fmt.Errorf("%s/%q: %v", bucket, key, err)
	}
	return nil
}

// sealer is the store's sealing codec; nil for a store built without Open.
func (s *Store) sealer() *sealCodec {
	c, _ := s.codec.(*sealCodec)
	return c
}

// gate refuses every transaction of a locked store, so that callers get
// ErrLocked rather than values that fail to decode.
func (s *Store) gate() error {
	if c := s.sealer(); c != nil && c.locked() {
		return newErr(ErrLocked, s.path, nil)
	}
	return nil
}

// startSealing installs the sealing codec once init has made the buckets,
// and unless opt.Locked unlocks the local profile and seals what was
// written in clear before.
func (s *Store) startSealing(opt Options) error {
	kp := opt.Protector
	if kp == nil {
		// Beside the file: os.UserConfigDir()/Kense/keys for DefaultPath
		// (keyprotect.DefaultDir); Windows uses DPAPI and no folder.
		kp = keyprotect.Platform(filepath.Join(filepath.Dir(s.path), "keys"))
	}
	s.codec = &sealCodec{kp: kp}
	if !opt.Locked {
		if err := s.Unlock("", kp); err != nil {
			return err
		}
		if _, err := s.Reseal(); err != nil {
			return err
		}
	}
	return s.compactIfNeeded(opt)
}

// keyNeedsCompact in meta says that Reseal left clear values in freed
// pages; Open compacts the file until that succeeds.
var keyNeedsCompact = []byte("needs-compact")

// compactIfNeeded compacts the file while Open still has the store to
// itself: close, Compact, open again. A failed compaction is tried again
// at the next Open; the store works either way.
func (s *Store) compactIfNeeded(opt Options) error {
	need := false
	_ = s.db.View(func(tx *bolt.Tx) error {
		need = tx.Bucket(bucketMeta).Get(keyNeedsCompact) != nil
		return nil
	})
	if !need {
		return nil
	}
	if err := s.db.Close(); err != nil {
		return newErr(ErrWrite, s.path, err)
	}
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultTimeout
	}
	cerr := Compact(s.path, opt)
	db, err := openBolt(s.path, opt.Timeout)
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return newErr(ErrInUse, s.path, err)
		}
		return newErr(ErrOpen, s.path, err)
	}
	s.db = db
	if cerr == nil {
		// Failing to clear the mark only means one more compaction.
		_ = s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Delete(keyNeedsCompact) })
	}
	return nil
}

// Unlock loads (making it the first time) the data key of account and
// makes it the one new writes are sealed with; account "" is the offline
// local profile of this OS user. Values of the local profile stay
// readable while an account is unlocked. account is the signed-in user's
// IIN as the server's session names it (the same string sync uses); it is
// never stored in clear. kp nil means the protector Open used.
//
// The caller unlocks only after the user proved their EDS (sign-in or the
// lock screen); Unlock itself cannot tell who is at the keyboard.
func (s *Store) Unlock(account string, kp keyprotect.Protector) error {
	c := s.sealer()
	if c == nil {
		return newErr(ErrKey, s.path, errors.New("store does not seal values"))
	}
	if kp == nil {
		kp = c.kp
	}
	local, err := s.loadKey(kp, keyLocalSlot, "")
	if err != nil {
		return err
	}
	active, keys := local, []*dataKey{local}
	if account != "" {
		acct, err := s.loadKey(kp, accountSlot(local, account), account)
		if err != nil {
			local.wipe()
			return err
		}
		active, keys = acct, append(keys, acct)
	}
	c.set(active, local, keys, account)
	return nil
}

// Lock wipes the data keys from memory; every Store method then returns
// ErrLocked until Unlock. Locking a locked store does nothing.
func (s *Store) Lock() {
	if c := s.sealer(); c != nil {
		c.set(nil, nil, nil, "")
	}
}

// Unlocked tells whether the store is unlocked and for which account (""
// for the local profile).
func (s *Store) Unlocked() (account string, ok bool) {
	c := s.sealer()
	if c == nil {
		return "", true // a plain store has nothing to lock
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.account, c.active != nil
}

// accountSlot is the meta key of account's wrapped data key: a MAC under
// the local key, so the file does not give the IIN away even to a guess.
func accountSlot(local *dataKey, account string) []byte {
	m := hmac.New(sha256.New, local.raw)
	m.Write([]byte("kense/cache/account-slot/v1\x00"))
	m.Write([]byte(account))
	return []byte(keyAccountSlot + hex.EncodeToString(m.Sum(nil)[:16]))
}

// keyContext binds a wrapped key to its account.
func keyContext(account string) []byte {
	return append([]byte("kense/cache/dek/v1\x00"), account...)
}

// loadKey unwraps the data key in meta slot, or makes, wraps and stores a
// new one when the slot is empty.
func (s *Store) loadKey(kp keyprotect.Protector, slot []byte, account string) (*dataKey, error) {
	var rec []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		rec = bytes.Clone(tx.Bucket(bucketMeta).Get(slot))
		return nil
	})
	if err != nil {
		return nil, s.txErr(err, ErrRead)
	}
	if rec == nil {
		var raw []byte
		err := s.db.Update(func(tx *bolt.Tx) error {
			meta := tx.Bucket(bucketMeta)
			if rec = bytes.Clone(meta.Get(slot)); rec != nil {
				return nil // another Unlock made it meanwhile
			}
			raw = make([]byte, dataKeyLen)
			if _, err := io.ReadFull(rand.Reader, raw); err != nil {
				return err
			}
			blob, err := kp.Protect(raw, keyContext(account))
			if err != nil {
				return newErr(ErrKey, s.path, err)
			}
			return meta.Put(slot, wrapRecord(kp.Name(), blob))
		})
		if err != nil {
			clear(raw)
			return nil, s.txErr(err, ErrWrite)
		}
		if raw != nil {
			k, err := newDataKey(raw)
			if err != nil {
				return nil, newErr(ErrKey, s.path, err)
			}
			return k, nil
		}
	}
	name, blob, err := parseWrapRecord(rec)
	if err != nil {
		return nil, newErr(ErrKey, s.path, err)
	}
	if name != kp.Name() {
		return nil, newErr(ErrKey, s.path, fmt.Errorf("key wrapped by %q, unlocking with %q", name, kp.Name()))
	}
	raw, err := kp.Unprotect(blob, keyContext(account))
	if err != nil {
		return nil, newErr(ErrKey, s.path, err)
	}
	k, err := newDataKey(raw)
	if err != nil {
		return nil, newErr(ErrKey, s.path, err)
	}
	return k, nil
}

// A wrapped key record: 'w', the protector's name (length-prefixed), the
// protector's blob.
func wrapRecord(name string, blob []byte) []byte {
	r := []byte{'w', byte(len(name))}
	r = append(r, name...)
	return append(r, blob...)
}

func parseWrapRecord(r []byte) (name string, blob []byte, err error) {
	if len(r) < 2 || r[0] != 'w' || len(r) < 2+int(r[1]) {
		return "", nil, errors.New("damaged wrapped-key record")
	}
	return string(r[2 : 2+int(r[1])]), r[2+int(r[1]):], nil
}

// Reseal seals with the active key every value still stored in clear
// (format 'j', written before sealing existed) and returns how many it
// rewrote. Values sealed already, under any key, are left as they are.
// The clear bytes survive in bbolt's freed pages: Reseal marks the file,
// and the next Open compacts it (Compact). Open runs Reseal after
// unlocking the local profile, and so compacts at once.
func (s *Store) Reseal() (int, error) {
	c := s.sealer()
	if c == nil {
		return 0, nil
	}
	plain := 0
	err := s.view(func(tx *bolt.Tx) error {
		return eachCodecValue(tx, func(_, _, v []byte) { plain++ })
	})
	if err != nil || plain == 0 {
		return 0, err
	}
	n := 0
	err = s.update(func(tx *bolt.Tx) error {
		type put struct{ bucket, key, val []byte }
		var puts []put
		var failed error
		err := eachCodecValue(tx, func(bucket, key, v []byte) {
			var raw json.RawMessage
			if failed != nil || c.decode(bucket, key, v, &raw) != nil {
				return // damaged clear JSON: left for the reader to report
			}
			nv, err := c.encode(bucket, key, raw)
			if err != nil {
				failed = err
				return
			}
			puts = append(puts, put{bytes.Clone(bucket), bytes.Clone(key), nv})
		})
		if err != nil {
			return err
		}
		if failed != nil {
			return newErr(ErrWrite, s.path, failed)
		}
		for _, p := range puts { // bbolt forbids Put inside ForEach
			if err := tx.Bucket(p.bucket).Put(p.key, p.val); err != nil {
				return err
			}
		}
		n = len(puts)
		if n == 0 {
			return nil
		}
		return tx.Bucket(bucketMeta).Put(keyNeedsCompact, []byte("1"))
	})
	return n, err
}

// eachCodecValue calls fn for every clear ('j') value outside meta.
// Buckets that keep raw values of their own (syncmeta's 8-byte cursors)
// never start with 'j'.
func eachCodecValue(tx *bolt.Tx, fn func(bucket, key, v []byte)) error {
	return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
		if bytes.Equal(name, bucketMeta) {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			if len(v) > 0 && v[0] == formatJSON {
				fn(name, k, v)
			}
			return nil
		})
	})
}
