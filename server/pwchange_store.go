package server

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"

	bolt "go.etcd.io/bbolt"

	"kense/api"
)

// NotificationStore keeps messages to heads (a compromised password, rule
// 16). BoltStore implements it in the bucket
//
//	notifications  head IIN → (big-endian sequence → api.Notification as JSON)
type NotificationStore interface {
	AddNotification(headIIN string, n api.Notification) error
	// Notifications lists the head's notifications, newest first.
	Notifications(headIIN string) ([]api.Notification, error)
}

var bNotifications = []byte("notifications")

// maxNotifications bounds what one head's list returns.
const maxNotifications = 500

// AddNotification stores n for headIIN; its ID is assigned here.
func (s *BoltStore) AddNotification(headIIN string, n api.Notification) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		root, err := tx.CreateBucketIfNotExists(bNotifications)
		if err != nil {
			return err
		}
		b, err := root.CreateBucketIfNotExists([]byte(headIIN))
		if err != nil {
			return err
		}
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		n.ID = strconv.FormatUint(seq, 10)
		v, err := json.Marshal(n)
		if err != nil {
			return err
		}
		return b.Put(binary.BigEndian.AppendUint64(nil, seq), v)
	})
}

// Notifications lists headIIN's notifications, newest first.
func (s *BoltStore) Notifications(headIIN string) ([]api.Notification, error) {
	var out []api.Notification
	err := s.db.View(func(tx *bolt.Tx) error {
		root := tx.Bucket(bNotifications)
		if root == nil {
			return nil
		}
		b := root.Bucket([]byte(headIIN))
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Last(); k != nil && len(out) < maxNotifications; k, v = c.Prev() {
			var n api.Notification
			if err := json.Unmarshal(v, &n); err != nil {
				return fmt.Errorf("notification %x: %w", k, err)
			}
			out = append(out, n)
		}
		return nil
	})
	return out, err
}
