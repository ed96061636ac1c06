package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	bolt "go.etcd.io/bbolt"

	"kense/api"
	"kense/servicedesk"
)

// Supporting files of tickets (rule 7.2). The ticket lists each file's
// name, type, size and SHA-256; the bytes follow, one PUT per file, and
// are kept only when they are exactly the file the ticket describes
// (size, hash and sniffed type), so nothing else can be slipped in.
//
//	ticketfiles  ticket id 0x00 sha256 → the file's bytes

var bTicketFiles = []byte("ticketfiles")

func ticketFileKey(id, sha string) []byte { return []byte(id + "\x00" + sha) }

// PutTicketFile keeps a file of ticket id.
func (s *BoltStore) PutTicketFile(id, sha string, data []byte) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bTicketFiles)
		if err != nil {
			return err
		}
		return b.Put(ticketFileKey(id, sha), data)
	})
}

// TicketFile reads a file of ticket id: ErrNotFound when it has not been
// uploaded.
func (s *BoltStore) TicketFile(id, sha string) ([]byte, error) {
	var out []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bTicketFiles)
		if b == nil {
			return ErrNotFound
		}
		v := b.Get(ticketFileKey(id, sha))
		if v == nil {
			return ErrNotFound
		}
		out = append([]byte(nil), v...)
		return nil
	})
	return out, err
}

// ticketFiles is the part of the store that keeps files; BoltStore has it.
type ticketFiles interface {
	PutTicketFile(id, sha string, data []byte) error
	TicketFile(id, sha string) ([]byte, error)
}

func attachmentOf(t *servicedesk.Ticket, sha string) (servicedesk.Attachment, bool) {
	for _, a := range t.Attachments {
		if a.SHA256 == sha {
			return a, true
		}
	}
	return servicedesk.Attachment{}, false
}

// handleTicketFilePut: the initiator uploads a file the ticket lists.
// Idempotent: the same bytes again change nothing.
func (s *Server) handleTicketFilePut(w http.ResponseWriter, r *http.Request) {
	acct, ts, rec, ok := s.readableTicket(w, r)
	if !ok {
		return
	}
	fs, ok := ts.(ticketFiles)
	if !ok {
		s.writeError(w, http.StatusNotImplemented, api.CodeInternal, "this server's store keeps no files")
		return
	}
	if rec.Owner != acct.IIN {
		s.writeError(w, http.StatusForbidden, api.CodeForbidden, "only the initiator uploads the ticket's files")
		return
	}
	a, ok := attachmentOf(&rec.Ticket, r.PathValue("sha"))
	if !ok {
		s.writeError(w, http.StatusNotFound, api.CodeNotFound, "the ticket lists no such file")
		return
	}
	data, ok := s.readUpload(w, r, "a file")
	if !ok {
		return
	}
	if !a.Matches(data) {
		s.writeError(w, http.StatusBadRequest, api.CodeBadRequest, "the bytes are not the file the ticket describes (size, SHA-256 or type)")
		return
	}
	if err := fs.PutTicketFile(rec.Ticket.ID, a.SHA256, data); err != nil {
		s.log.Error("ticket file", "err", err)
		s.writeError(w, http.StatusInternalServerError, api.CodeInternal, "storage error")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleTicketFileGet: the initiator and Operator staff read a file.
func (s *Server) handleTicketFileGet(w http.ResponseWriter, r *http.Request) {
	_, ts, rec, ok := s.readableTicket(w, r)
	if !ok {
		return
	}
	a, ok := attachmentOf(&rec.Ticket, r.PathValue("sha"))
	fs, ok2 := ts.(ticketFiles)
	if !ok || !ok2 {
		s.writeError(w, http.StatusNotFound, api.CodeNotFound, "no such file")
		return
	}
	data, err := fs.TicketFile(rec.Ticket.ID, a.SHA256)
	if err != nil {
		if !errors.Is(err, ErrNotFound) {
			s.log.Error("ticket file", "err", err)
			s.writeError(w, http.StatusInternalServerError, api.CodeInternal, "storage error")
			return
		}
		s.writeError(w, http.StatusNotFound, api.CodeNotFound, "the file has not been uploaded yet")
		return
	}
	w.Header().Set("Content-Type", a.ContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Header().Set("Cache-Control", "no-store")
	// Served as a download, never rendered by a browser in our origin.
	w.Header().Set("Content-Disposition", "attachment")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	w.Write(data)
}

// readUpload reads an uploaded file's body (a ticket's file, an
// application's order), refusing one larger than an attachment may be;
// what names the thing in the refusal.
func (s *Server) readUpload(w http.ResponseWriter, r *http.Request, what string) ([]byte, bool) {
	data, err := io.ReadAll(io.LimitReader(r.Body, servicedesk.MaxAttachmentSize+1))
	if err != nil {
		s.writeDecodeError(w, err)
		return nil, false
	}
	if len(data) > servicedesk.MaxAttachmentSize {
		s.writeError(w, http.StatusRequestEntityTooLarge, api.CodeBadRequest, fmt.Sprintf("%s is at most %d bytes", what, servicedesk.MaxAttachmentSize))
		return nil, false
	}
	return data, true
}
