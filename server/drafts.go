package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"kense/api"
)

// Drafts sync handlers (issue 4). Every endpoint needs a session; the
// store decides what the account may read and write.

var errPushTooLarge = fmt.Errorf("request body larger than %d bytes", api.MaxPushBodyBytes)

// DecodePush decodes a push body strictly (unknown fields, trailing data,
// too many changes and oversized bodies are errors).
func DecodePush(data []byte) (*api.PushRequest, error) {
	if len(data) > api.MaxPushBodyBytes {
		return nil, errPushTooLarge
	}
	var req api.PushRequest
	if err := decodeStrictAny(data, &req); err != nil {
		return nil, err
	}
	if len(req.Changes) > api.MaxPushItems {
		return nil, fmt.Errorf("at most %d changes per push", api.MaxPushItems)
	}
	return &req, nil
}

// DecodeDraftChange decodes the body of PUT /v1/drafts/{id}.
func DecodeDraftChange(data []byte) (*api.DraftChange, error) {
	if len(data) > MaxBodyBytes {
		return nil, errTooLarge
	}
	var c api.DraftChange
	if err := decodeStrictAny(data, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// decodeStrictAny is DecodeStrict without its size bound (callers bound).
func decodeStrictAny(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("request body: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("request body: data after the JSON object")
	}
	return nil
}

func readBody(r *http.Request, max int) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r.Body, int64(max)+1))
	if err != nil {
		return nil, fmt.Errorf("request body: %w", err)
	}
	return data, nil
}

func (s *Server) handleDraftsPush(w http.ResponseWriter, r *http.Request) {
	_, _, acct, ok := s.session(w, r)
	if !ok {
		return
	}
	ds := s.cfg.Store
	data, err := readBody(r, api.MaxPushBodyBytes)
	if err != nil {
		s.writeDecodeError(w, err)
		return
	}
	req, err := DecodePush(data)
	if err != nil {
		if errors.Is(err, errPushTooLarge) {
			s.writeError(w, http.StatusRequestEntityTooLarge, api.CodeBadRequest, err.Error())
			return
		}
		s.writeError(w, http.StatusBadRequest, api.CodeBadRequest, err.Error())
		return
	}
	res, err := ds.PushDrafts(acct.IIN, req.Changes, s.now())
	if err != nil {
		s.log.Error("drafts push", "err", err)
		s.writeError(w, http.StatusInternalServerError, api.CodeInternal, "storage error")
		return
	}
	s.logPush(acct.IIN, res)
	writeJSON(w, http.StatusOK, api.PushResponse{Results: res})
}

// logPush counts outcomes; ids are random and say nothing, but contents are
// personal data and never logged.
func (s *Server) logPush(iin string, res []api.PushResult) {
	n := map[string]int{}
	replayed := 0
	for _, r := range res {
		n[r.Status]++
		if r.Replayed {
			replayed++
		}
	}
	s.log.Info("drafts push", "iin", iin, "applied", n[api.PushApplied], "conflict", n[api.PushConflict],
		"forbidden", n[api.PushForbidden], "invalid", n[api.PushInvalid], "replayed", replayed)
}

func (s *Server) handleDraftsChanges(w http.ResponseWriter, r *http.Request) {
	_, _, acct, ok := s.session(w, r)
	if !ok {
		return
	}
	ds := s.cfg.Store
	q := r.URL.Query()
	var since uint64
	if v := q.Get("since"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			s.writeError(w, http.StatusBadRequest, api.CodeBadRequest, "since: a non-negative integer")
			return
		}
		since = n
	}
	limit := 100
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > api.MaxPullLimit {
			s.writeError(w, http.StatusBadRequest, api.CodeBadRequest, fmt.Sprintf("limit: 1–%d", api.MaxPullLimit))
			return
		}
		limit = n
	}
	resp, err := ds.DraftChanges(acct.IIN, since, limit)
	if err != nil {
		s.log.Error("drafts changes", "err", err)
		s.writeError(w, http.StatusInternalServerError, api.CodeInternal, "storage error")
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) handleDraftGet(w http.ResponseWriter, r *http.Request) {
	_, _, acct, ok := s.session(w, r)
	if !ok {
		return
	}
	ds := s.cfg.Store
	id := r.PathValue("id")
	if !ValidDraftID(id) {
		s.writeError(w, http.StatusBadRequest, api.CodeBadRequest, "id: 1–64 letters, digits, '-' or '_'")
		return
	}
	rec, err := ds.DraftFor(acct.IIN, id)
	if errors.Is(err, ErrNotFound) {
		// Another account's draft is as absent as a missing one: its
		// existence is not the caller's business.
		s.writeError(w, http.StatusNotFound, api.CodeNotFound, "no such draft")
		return
	} else if err != nil {
		s.log.Error("draft get", "err", err)
		s.writeError(w, http.StatusInternalServerError, api.CodeInternal, "storage error")
		return
	}
	writeJSON(w, http.StatusOK, rec)
}

// handleDraftPut applies one change; the Idempotency-Key header is its key.
func (s *Server) handleDraftPut(w http.ResponseWriter, r *http.Request) {
	_, _, acct, ok := s.session(w, r)
	if !ok {
		return
	}
	ds := s.cfg.Store
	key := r.Header.Get("Idempotency-Key")
	if !ValidDraftID(key) {
		s.writeError(w, http.StatusBadRequest, api.CodeBadRequest, "Idempotency-Key header: 1–64 letters, digits, '-' or '_'")
		return
	}
	data, err := readBody(r, MaxBodyBytes)
	if err != nil {
		s.writeDecodeError(w, err)
		return
	}
	c, err := DecodeDraftChange(data)
	if err != nil {
		s.writeDecodeError(w, err)
		return
	}
	id := r.PathValue("id")
	if (c.Key != "" && c.Key != key) || (c.ID != "" && c.ID != id) {
		s.writeError(w, http.StatusBadRequest, api.CodeBadRequest, "key and id must match the header and the path")
		return
	}
	c.Key, c.ID = key, id
	res, err := ds.PushDrafts(acct.IIN, []api.DraftChange{*c}, s.now())
	if err != nil {
		s.log.Error("draft put", "err", err)
		s.writeError(w, http.StatusInternalServerError, api.CodeInternal, "storage error")
		return
	}
	s.logPush(acct.IIN, res)
	switch x := res[0]; x.Status {
	case api.PushApplied:
		writeJSON(w, http.StatusOK, x)
	case api.PushConflict:
		writeJSON(w, http.StatusConflict, api.ConflictError{Code: api.CodeConflict, Message: x.Message, Current: x.Current})
	case api.PushForbidden:
		s.writeError(w, http.StatusForbidden, api.CodeForbidden, x.Message)
	default:
		code := api.CodeBadRequest
		if strings.HasPrefix(x.Message, api.CodeIdempotencyReused) {
			code = api.CodeIdempotencyReused
		}
		s.writeError(w, http.StatusUnprocessableEntity, code, x.Message)
	}
}

// draftRoutes are the drafts sync endpoints (added to routes()).
func (s *Server) draftRoutes() []route {
	return []route{
		{"POST " + api.PathDraftsPush, s.handleDraftsPush},
		{"GET " + api.PathDraftsChanges, s.handleDraftsChanges},
		{"GET " + api.PathDrafts + "{id}", s.handleDraftGet},
		{"PUT " + api.PathDrafts + "{id}", s.handleDraftPut},
		{"POST " + api.PathDrafts + "{id}/submit", s.handleDraftSubmit},
		{"GET " + api.PathApplications + "{sha256}", s.handleApplication},
	}
}
