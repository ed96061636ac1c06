package cache

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Signature is what the printed application shows of its electronic
// signature (pdf.SignatureBlock): who signed, with which certificate, when.
// The cache keeps it with the submitted draft, so that the PDF printed after
// signing carries it, offline too.
type Signature struct {
	SignerName string    `json:"signerName"`
	IIN        string    `json:"iin"`
	CertSerial string    `json:"certSerial"`
	SignedAt   time.Time `json:"signedAt"`
}

// RecordSubmitted takes the server's answer to a submission at once,
// instead of at the next pull: r is the draft's record after submitting
// (read-only, its new version and status), sig who signed it. A later pull
// of the same record changes nothing.
func (s *Store) RecordSubmitted(account string, r Remote, sig Signature) error {
	if !validID(r.ID) {
		return newErr(ErrNotFound, s.path, fmt.Errorf("draft %q", r.ID))
	}
	now := s.stamp()
	return s.update(func(tx *bolt.Tx) error {
		if err := s.applyRemote(tx, account, &r, now); err != nil {
			return err
		}
		return s.setSignature(tx, r.ID, sig)
	})
}

// SetSignature keeps sig with the submitted draft id (one submitted from
// another workstation, whose signer the server told afterwards).
func (s *Store) SetSignature(id string, sig Signature) error {
	return s.update(func(tx *bolt.Tx) error { return s.setSignature(tx, id, sig) })
}

func (s *Store) setSignature(tx *bolt.Tx, id string, sig Signature) error {
	rec, ok, err := s.getSyncRec(tx, id)
	if err != nil {
		return err
	}
	if !ok {
		return newErr(ErrNotFound, s.path, fmt.Errorf("draft %q", id))
	}
	sig.SignedAt = sig.SignedAt.UTC()
	rec.Signature = &sig
	return s.putSyncRec(tx, id, rec)
}
