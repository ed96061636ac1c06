package password

// HistoryFunc lets a plain function serve as History.
type HistoryFunc func(candidate []byte) (bool, error)

// Used calls f.
func (f HistoryFunc) Used(candidate []byte) (bool, error) { return f(candidate) }

// Hashes is the History of an account whose past passwords (the current one
// included) are kept as hash strings. Verify checks the candidate against
// one of them: the server passes its argon2id CheckPassword, so the hashing
// lives in one place. A hash that cannot be read is an error (the checker
// then fails closed), not "unused".
type Hashes struct {
	Hashes []string
	Verify func(hash string, candidate []byte) (bool, error)
}

// Used reports whether any stored hash matches the candidate.
func (h Hashes) Used(candidate []byte) (bool, error) {
	for _, s := range h.Hashes {
		ok, err := h.Verify(s, candidate)
		if err != nil {
			return false, err
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}
