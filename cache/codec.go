package cache

import (
	"encoding/json"
	"fmt"
)

// valueCodec turns a Go value into the bytes stored under a key and back.
// Every value the store keeps (drafts, settings, outbox, sync state; not
// meta) passes through it. Open installs sealCodec (crypt.go), which seals
// every value with AES-256-GCM under a DPAPI/key-file protected data key,
// bucket and key as additional data; jsonCodec is the plain format it
// still reads. decode must return an error, never panic, on any input:
// the file is outside data once it has been on disk.
type valueCodec interface {
	encode(bucket, key []byte, v any) ([]byte, error)
	decode(bucket, key, data []byte, v any) error
}

// Every stored value begins with a format byte, so a sealing codec can tell
// (and migrate) plain values written before it existed.
const (
	formatJSON byte = 'j' // plain JSON, written before sealing existed
	// formatSealed = 'g' (crypt.go): AES-256-GCM sealed JSON.
)

// jsonCodec stores values as the format byte followed by JSON.
type jsonCodec struct{}

func (jsonCodec) encode(_, _ []byte, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append([]byte{formatJSON}, b...), nil
}

func (jsonCodec) decode(bucket, key, data []byte, v any) error {
	if len(data) == 0 {
		return fmt.Errorf("%s/%q: empty value", bucket, key)
	}
	if data[0] != formatJSON {
		return fmt.Errorf("%s/%q: unknown value format 0x%02x", bucket, key, data[0])
	}
	if err := json.Unmarshal(data[1:], v); err != nil {
		return fmt.Errorf("%s/%q: %v", bucket, key, err)
	}
	return nil
}
