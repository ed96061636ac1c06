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
	PathDrafts        = "/v1/drafts/"        // GET, PUT /v1/drafts/{id}; POST /v1/drafts/{id}/submit
	PathApplications  = "/v1/applications/"  // GET /v1/applications/{sha256}
)

// Submitting (issue 4): the head of the subunit signs the form's canonical
// content (form.Canonical) with their SIGN key; the server verifies it and
// keeps the CMS; the draft becomes read-only with an application status.
const (
	AppSubmitted = "submitted"
	AppAccepted  = "accepted"
	AppRejected  = "rejected"
	AppDone      = "done"
)

// Submission error codes.
const (
	// CodeSubmitted: the draft was submitted and is read-only.
	CodeSubmitted = "submitted"
	// CodeSignerNotHead: the signature is not by the signed-in account, or
	// not by the head the form names.
	CodeSignerNotHead = "signer_not_head"
	// CodeInvalidForm: the form has problems (form.Validate); an invalid
	// application is never submitted (422).
	CodeInvalidForm = "invalid_form"
)

// SubmitRequest is the body of POST /v1/drafts/{id}/submit.
type SubmitRequest struct {
	// Version: the draft version that was signed (its form's canonical
	// content); a newer version on the server is a conflict.
	Version uint64 `json:"version"`
	CMS     string `json:"cms"` // standard base64 of the CMS, attached or detached
}

// Application is a submitted application as the server keeps it (the CMS
// aside), found by the SHA-256 of its canonical content: the value printed
// under the QR code.
type Application struct {
	SHA256      string    `json:"sha256"`
	DraftID     string    `json:"draftId"`
	Version     uint64    `json:"version"` // the draft version signed
	Status      string    `json:"status"`
	Reason      string    `json:"reason,omitempty"` // rejected: why
	SignerIIN   string    `json:"signerIin"`
	SignerName  string    `json:"signerName"`
	CertSerial  string    `json:"certSerial"`
	SignedAt    time.Time `json:"signedAt,omitzero"`
	SubmittedAt time.Time `json:"submittedAt"`
	Updated     time.Time `json:"updated"`
}

// SubmitResponse answers a submission.
type SubmitResponse struct {
	Application Application `json:"application"`
	// Draft is the draft's record after submitting (read-only, new version).
	Draft DraftRecord `json:"draft"`
}

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
	// AppStatus is set once the draft is submitted (read-only from then
	// on); SHA256 names its Application.
	AppStatus string `json:"appStatus,omitempty"`
	SHA256    string `json:"sha256,omitempty"`
	AppReason string `json:"appReason,omitempty"`
	// RowOutcomes: the administrator's decision on each decided row of the
	// submitted application (issue 8), in row order.
	RowOutcomes []RowOutcome `json:"rowOutcomes,omitempty"`
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
