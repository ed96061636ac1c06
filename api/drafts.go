package api

import (
	"time"

	"kense/form"
)

// Drafts sync (issue 4). A draft is identified by a client-made id (the
// cache's NewID: letters, digits, '-' and '_', at most 64 characters).
// Every change the server applies takes the next value of one server-wide,
// monotonically increasing change sequence; a draft's Version is the
// sequence number of its latest change, and a pull asks for the changes
// after a cursor (the largest sequence number seen).

// Endpoint paths of drafts sync (Bearer on all).
const (
	PathDraftsPush    = "/v1/drafts/push"    // POST: a batch of changes
	PathDraftsChanges = "/v1/drafts/changes" // GET ?since=N&limit=M
	PathDrafts        = "/v1/drafts/"        // GET, PUT /v1/drafts/{id}
)

// Error codes of drafts sync.
const (
	// CodeConflict: the change's base version is not the draft's current
	// version; the answer carries the current record.
	CodeConflict = "conflict"
	// CodeForbidden: the draft belongs to another account (and is not
	// shared with the caller's subunit), or the caller may not do this to it
	// (only the owner deletes, shares or unshares).
	CodeForbidden = "forbidden"
	// CodeIdempotencyReused: an idempotency key sent again with different
	// content.
	CodeIdempotencyReused = "idempotency_key_reused"
)

// Push results.
const (
	PushApplied   = "applied"
	PushConflict  = "conflict"
	PushForbidden = "forbidden"
	PushInvalid   = "invalid"
)

// Limits of drafts sync.
const (
	MaxPushItems     = 500
	MaxPushBodyBytes = 8 << 20
	MaxPullLimit     = 500
	MaxKeyLen        = 64
)

// DraftChange is one change a client pushes: the whole draft as it now is
// (or a tombstone), based on the version the client last had.
type DraftChange struct {
	// Key is the idempotency key: the client's outbox entry id. The server
	// applies a key at most once per account and answers a repeat with the
	// first result.
	Key string `json:"key"`
	ID  string `json:"id"`
	// BaseVersion is the server version the change was made on; 0 for a
	// draft the server has never seen.
	BaseVersion uint64 `json:"baseVersion"`
	// Deleted makes the change a tombstone (Form is then ignored).
	Deleted bool `json:"deleted,omitempty"`
	// Shared: other accounts of the draft's subunit may read and edit it.
	Shared bool      `json:"shared,omitempty"`
	Form   form.Form `json:"form"`
}

// PushRequest is the body of POST /v1/drafts/push.
type PushRequest struct {
	Changes []DraftChange `json:"changes"`
}

// PushResult is the outcome of one change, in request order.
type PushResult struct {
	Key    string `json:"key"`
	ID     string `json:"id"`
	Status string `json:"status"` // applied, conflict, forbidden, invalid
	// Version: the draft's version after the change (applied).
	Version uint64 `json:"version,omitempty"`
	// Current: the server's record (conflict).
	Current *DraftRecord `json:"current,omitempty"`
	// Replayed: this key had been applied before; this is its first result.
	Replayed bool   `json:"replayed,omitempty"`
	Message  string `json:"message,omitempty"`
}

// PushResponse answers POST /v1/drafts/push.
type PushResponse struct {
	Results []PushResult `json:"results"`
}

// DraftRecord is a draft as the server keeps it.
type DraftRecord struct {
	ID      string `json:"id"`
	Version uint64 `json:"version"`
	// Owner is the IIN of the account that created the draft.
	Owner  string `json:"owner"`
	Shared bool   `json:"shared,omitempty"`
	// Subunit is the form's subunit, normalised (see SubunitKey in server).
	Subunit string `json:"subunit,omitempty"`
	Deleted bool   `json:"deleted,omitempty"`
	// Form is empty for a tombstone.
	Form      form.Form `json:"form"`
	Created   time.Time `json:"created"`
	Updated   time.Time `json:"updated"`
	UpdatedBy string    `json:"updatedBy"` // IIN
}

// ChangesResponse answers GET /v1/drafts/changes.
type ChangesResponse struct {
	Changes []DraftRecord `json:"changes"`
	// Cursor: pass as since next time (it may move past changes the caller
	// may not see).
	Cursor uint64 `json:"cursor"`
	// More: there are changes after Cursor; ask again at once.
	More bool `json:"more"`
}

// ConflictError is the body of a 409 from PUT /v1/drafts/{id}.
type ConflictError struct {
	Code    string       `json:"code"`
	Message string       `json:"message"`
	Current *DraftRecord `json:"current"`
}
