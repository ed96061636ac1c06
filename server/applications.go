package server

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	bolt "go.etcd.io/bbolt"

	"kense/api"
)

// Applications lists the submitted applications, newest first (the
// Operator's admin command; the CMS stays in the store).
func (s *BoltStore) Applications() ([]api.Application, error) {
	var out []api.Application
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bSubmissions)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var sub submission
			if err := json.Unmarshal(v, &sub); err != nil {
				return fmt.Errorf("application %s: %w", k, err)
			}
			out = append(out, sub.Application)
			return nil
		})
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].SubmittedAt.After(out[j].SubmittedAt) })
	return out, err
}

// FindApplication finds the application whose SHA-256 (hex) is sha or,
// for an operator typing it, begins with it (at least 8 digits, and only
// one may match).
func (s *BoltStore) FindApplication(sha string) (*api.Application, error) {
	sha = strings.ToLower(strings.TrimSpace(sha))
	if len(sha) == 64 {
		return s.Application(sha)
	}
	if len(sha) < 8 {
		return nil, fmt.Errorf("application %q: give at least 8 hex digits of its SHA-256", sha)
	}
	list, err := s.Applications()
	if err != nil {
		return nil, err
	}
	var found *api.Application
	for i := range list {
		if strings.HasPrefix(list[i].SHA256, sha) {
			if found != nil {
				return nil, fmt.Errorf("application %s…: more than one matches, give more digits", sha)
			}
			found = &list[i]
		}
	}
	if found == nil {
		return nil, fmt.Errorf("application %s…: %w", sha, ErrNotFound)
	}
	return found, nil
}
