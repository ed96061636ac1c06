package cache

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

const maxSettingKey = 256

// Well-known setting names, so that UI and CLI agree on them.
const (
	SettingLanguage    = "language"      // i18n.Lang code
	SettingLastKeyFile = "last_key_file" // path of the last EDS key container
)

func (s *Store) checkSettingKey(key string) error {
	if key == "" || len(key) > maxSettingKey {
		return newErr(ErrBadSetting, s.path, fmt.Errorf("setting name %q", key))
	}
	return nil
}

// Setting reads a setting; ok is false when it was never set.
func (s *Store) Setting(key string) (value string, ok bool, err error) {
	if err := s.checkSettingKey(key); err != nil {
		return "", false, err
	}
	err = s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketSettings).Get([]byte(key))
		if v == nil {
			return nil
		}
		if err := s.codec.decode(bucketSettings, []byte(key), v, &value); err != nil {
			return newErr(ErrCorrupt, s.path, err)
		}
		ok = true
		return nil
	})
	if err != nil {
		return "", false, err
	}
	return value, ok, nil
}

// SetSetting stores a setting.
func (s *Store) SetSetting(key, value string) error {
	if err := s.checkSettingKey(key); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		v, err := s.codec.encode(bucketSettings, []byte(key), value)
		if err != nil {
			return newErr(ErrWrite, s.path, err)
		}
		return tx.Bucket(bucketSettings).Put([]byte(key), v)
	})
}

// DeleteSetting forgets a setting; a missing one is not an error.
func (s *Store) DeleteSetting(key string) error {
	if err := s.checkSettingKey(key); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSettings).Delete([]byte(key))
	})
}
