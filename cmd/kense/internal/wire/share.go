package wire

import "kense/cache"

// sharing is ui.Sharing over the cache: the mark goes out with the next
// sync round like any edit.
type sharing struct {
	st   *cache.Store
	kick func()
}

func (s sharing) Shared(id string) (bool, error) {
	ds, err := s.st.SyncState(id)
	return ds.Shared, err
}

func (s sharing) SetShared(id string, shared bool) error {
	if err := s.st.SetShared(id, shared); err != nil {
		return err
	}
	if s.kick != nil {
		s.kick()
	}
	return nil
}
