package servicedesk

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"image/jpeg"
	"image/png"
	"strings"
)

// Attachment describes a supporting file (rule 7.2: screenshots, scans).
// The bytes travel apart from the ticket; SHA256 ties them to it.
type Attachment struct {
	Name        string `json:"name"`
	ContentType string `json:"contentType"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
}

// Limits on supporting files.
const (
	MaxAttachmentSize  = 10 << 20
	MaxAttachmentTotal = 25 << 20
	MaxAttachments     = 10
	maxAttachmentName  = 255
)

// The content types accepted: screenshots and scans.
const (
	TypePNG  = "image/png"
	TypeJPEG = "image/jpeg"
	TypePDF  = "application/pdf"
	TypeTIFF = "image/tiff"
)

// AttachmentTypes lists the accepted content types.
var AttachmentTypes = []string{TypePNG, TypeJPEG, TypePDF, TypeTIFF}

// SniffAttachment tells the type of a file from its content, never from its
// name: PNG and JPEG must decode their header, a PDF must start with %PDF-
// and end with %%EOF, a TIFF's first directory must lie inside the file.
// It returns "" for anything else.
func SniffAttachment(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		if c, err := png.DecodeConfig(bytes.NewReader(data)); err == nil && c.Width > 0 && c.Height > 0 {
			return TypePNG
		}
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		if c, err := jpeg.DecodeConfig(bytes.NewReader(data)); err == nil && c.Width > 0 && c.Height > 0 {
			return TypeJPEG
		}
	case bytes.HasPrefix(data, []byte("%PDF-")):
		// Readers look for %%EOF within the last kilobyte.
		tail := data[max(0, len(data)-1024):]
		if bytes.Contains(tail, []byte("%%EOF")) {
			return TypePDF
		}
	case len(data) >= 8 && (bytes.HasPrefix(data, []byte("II*\x00")) || bytes.HasPrefix(data, []byte("MM\x00*"))):
		var off uint32
		if data[0] == 'I' {
			off = binary.LittleEndian.Uint32(data[4:8])
		} else {
			off = binary.BigEndian.Uint32(data[4:8])
		}
		if off >= 8 && uint64(off)+2 <= uint64(len(data)) {
			return TypeTIFF
		}
	}
	return ""
}

// CheckAttachment checks a supporting file before it is attached: a sound
// name, not empty, at most MaxAttachmentSize, and a PNG, JPEG, PDF or TIFF
// by its content.
func CheckAttachment(name string, data []byte) error {
	_, err := NewAttachment(name, data)
	return err
}

// NewAttachment checks a file as CheckAttachment does and describes it.
func NewAttachment(name string, data []byte) (Attachment, error) {
	if p, ok := checkAttachmentName("attachment", name); !ok {
		return Attachment{}, p
	}
	if len(data) == 0 {
		return Attachment{}, Problem{Field: "attachment", Key: "sd.err.attachmentEmpty", Args: []any{"name", name}}
	}
	if len(data) > MaxAttachmentSize {
		return Attachment{}, Problem{Field: "attachment", Key: "sd.err.attachmentSize", Args: []any{"name", name, "max", mib(MaxAttachmentSize)}}
	}
	ct := SniffAttachment(data)
	if ct == "" {
		return Attachment{}, Problem{Field: "attachment", Key: "sd.err.attachmentType", Args: []any{"name", name}}
	}
	sum := sha256.Sum256(data)
	return Attachment{Name: name, ContentType: ct, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}, nil
}

// Matches reports whether data is the file a describes.
func (a Attachment) Matches(data []byte) bool {
	sum := sha256.Sum256(data)
	return int64(len(data)) == a.Size && hex.EncodeToString(sum[:]) == a.SHA256 && SniffAttachment(data) == a.ContentType
}

func mib(n int64) string { return fmt.Sprintf("%d MiB", n>>20) }

// checkAttachmentName refuses names that would not survive being saved on
// Windows or that try to leave the folder they are saved in.
func checkAttachmentName(field, name string) (Problem, bool) {
	bad := name == "" || len(name) > maxAttachmentName || !printable(name, false) ||
		strings.ContainsAny(name, `/\:*?"<>|`) || strings.Trim(name, ". ") == ""
	if bad {
		return Problem{Field: field, Key: "sd.err.attachmentName", Args: []any{"name", name}}, false
	}
	return Problem{}, true
}

func checkAttachments(ps *Problems, as []Attachment) {
	if len(as) > MaxAttachments {
		ps.add("attachments", "sd.err.tooMany", "max", MaxAttachments)
		return
	}
	var total int64
	for i, a := range as {
		f := fmt.Sprintf("attachments[%d]", i)
		if p, ok := checkAttachmentName(f, a.Name); !ok {
			*ps = append(*ps, p)
		}
		known := false
		for _, t := range AttachmentTypes {
			known = known || a.ContentType == t
		}
		if !known {
			ps.add(f, "sd.err.attachmentType", "name", a.Name)
		}
		if a.Size <= 0 || a.Size > MaxAttachmentSize {
			ps.add(f, "sd.err.attachmentSize", "name", a.Name, "max", mib(MaxAttachmentSize))
		} else {
			total += a.Size
		}
		if b, err := hex.DecodeString(a.SHA256); err != nil || len(b) != sha256.Size || strings.ToLower(a.SHA256) != a.SHA256 {
			ps.add(f, "sd.err.attachmentHash", "name", a.Name)
		}
	}
	if total > MaxAttachmentTotal {
		ps.add("attachments", "sd.err.attachmentTotal", "max", mib(MaxAttachmentTotal))
	}
}
