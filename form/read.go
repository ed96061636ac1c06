package form

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"kense/i18n"
)

// MaxSize is the largest application file Read accepts: far above any real
// form (a thousand rows is ~300 KiB), low enough that a wrong file cannot
// exhaust memory.
const MaxSize = 16 << 20

// ReadError is why a file is not an application (or why a scanned order
// cannot be used). Key and Args are an i18n message, so the CLI and the UI
// show it in the user's language; Error() is the English text for logs.
type ReadError struct {
	Key  string
	Args []any
	Err  error // the underlying cause, if any
}

func (e *ReadError) Error() string { return e.Message(i18n.EN) }

// Message is the error in language l.
func (e *ReadError) Message(l i18n.Lang) string { return i18n.TL(l, e.Key, e.Args...) }

func (e *ReadError) Unwrap() error { return e.Err }

func readErr(key string, args ...any) *ReadError { return &ReadError{Key: key, Args: args} }

// Read decodes one application from r, strictly: exactly one JSON object,
// UTF-8, field names exactly as in the contract (case-sensitive, no unknown
// or repeated ones), whole numbers where numbers are expected, nothing after
// the object. A leading UTF-8 byte-order mark (Windows Notepad) is allowed.
// null is accepted for lists (as Go and other tools write empty ones).
// Returned forms have non-nil Rows and AccessLevels.
func Read(r io.Reader) (Form, error) {
	buf, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return Form{}, &ReadError{Key: "form.read.io", Args: []any{"err", err.Error()}, Err: err}
	}
	if len(buf) > MaxSize {
		return Form{}, readErr("form.read.too_large", "max", MaxSize>>20)
	}
	buf = bytes.TrimPrefix(buf, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(buf)) == 0 {
		return Form{}, readErr("form.read.empty")
	}
	if !utf8.Valid(buf) {
		return Form{}, readErr("form.read.utf8")
	}
	// The walk checks what encoding/json lets pass (case-insensitive and
	// repeated names) and names fields with their row, then Unmarshal fills
	// the struct from input already known to fit it.
	w := walker{buf: buf, dec: json.NewDecoder(bytes.NewReader(buf))}
	w.dec.UseNumber()
	if err := w.value(formSchema, ""); err != nil {
		return Form{}, err
	}
	if err := w.trailing(); err != nil {
		return Form{}, err
	}
	var f Form
	dec := json.NewDecoder(bytes.NewReader(buf))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		// Unreachable if the walk is right; still an error, never a panic.
		return Form{}, &ReadError{Key: "form.read.invalid", Args: []any{"err", err.Error()}, Err: err}
	}
	return normalize(f), nil
}

// Load reads the application in the file at path. It resolves nothing:
// OrderFile stays as written (see ResolveOrder).
func Load(path string) (Form, error) {
	fh, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Form{}, &ReadError{Key: "form.read.not_found", Args: []any{"file", path}, Err: err}
		}
		return Form{}, &ReadError{Key: "form.read.open", Args: []any{"file", path, "err", err.Error()}, Err: err}
	}
	defer fh.Close()
	return Read(fh)
}

// LoadResolved is Load for making a draft (the app's import, kensectl
// drafts import): each orderFile becomes an absolute path (ResolveOrder),
// so the draft depends neither on where the JSON file was nor on the
// working directory it was named from.
func LoadResolved(path string) (Form, error) {
	f, err := Load(path)
	if err != nil {
		return f, err
	}
	for i := range f.Rows {
		p := ResolveOrder(path, f.Rows[i].OrderFile)
		if p != "" {
			if abs, err := filepath.Abs(p); err == nil {
				p = abs
			}
		}
		f.Rows[i].OrderFile = p
	}
	return f, nil
}

// ResolveOrder is where a row's orderFile lies: relative names are taken
// from the directory of the JSON file (with either / or \ as separator, so
// a file written on Windows resolves anywhere); absolute ones stand as they
// are. An empty orderFile stays empty.
func ResolveOrder(jsonPath, orderFile string) string {
	if orderFile == "" || filepath.IsAbs(orderFile) {
		return orderFile
	}
	rel := filepath.FromSlash(strings.ReplaceAll(orderFile, `\`, "/"))
	return filepath.Join(filepath.Dir(jsonPath), rel)
}

// Write encodes f as the export format: indented UTF-8 JSON, one trailing
// newline, lists written as [] rather than null. Read(Write(f)) == f for any
// form Read returns.
func Write(w io.Writer, f Form) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // "<" stays "<" in names a person reads
	return enc.Encode(normalize(f))
}

// normalize returns f with non-nil Rows and AccessLevels, copying the rows
// so that the caller's form is left alone.
func normalize(f Form) Form {
	rows := make([]Row, len(f.Rows))
	for i, r := range f.Rows {
		if r.AccessLevels == nil {
			r.AccessLevels = []string{}
		}
		rows[i] = r
	}
	f.Rows = rows
	return f
}

// CheckScan checks that path is a scanned document the Operator accepts: a
// regular, non-empty PDF, JPEG, PNG or TIFF file, told by its first bytes
// (not by its name). Errors are *ReadError.
func CheckScan(path string) error {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &ReadError{Key: "form.order.missing", Args: []any{"file", path}, Err: err}
	case err != nil:
		return &ReadError{Key: "form.order.unreadable", Args: []any{"file", path, "err", err.Error()}, Err: err}
	case !st.Mode().IsRegular():
		return readErr("form.order.not_file", "file", path)
	}
	fh, err := os.Open(path)
	if err != nil {
		return &ReadError{Key: "form.order.unreadable", Args: []any{"file", path, "err", err.Error()}, Err: err}
	}
	defer fh.Close()
	head := make([]byte, 8)
	n, err := io.ReadFull(fh, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return &ReadError{Key: "form.order.unreadable", Args: []any{"file", path, "err", err.Error()}, Err: err}
	}
	if n == 0 {
		return readErr("form.order.empty", "file", path)
	}
	if ScanKind(head[:n]) == "" {
		return readErr("form.order.not_scan", "file", path)
	}
	return nil
}

// ScanKind names the scan format that starts with head ("pdf", "jpeg",
// "png", "tiff"), or "" for anything else.
func ScanKind(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return "pdf"
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return "jpeg"
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case bytes.HasPrefix(head, []byte("II*\x00")), bytes.HasPrefix(head, []byte("MM\x00*")):
		return "tiff"
	}
	return ""
}

// OrderChecker is the Options.OrderExists for a form read from jsonPath:
// it resolves each orderFile against the JSON file's directory and checks
// the scan with CheckScan.
func OrderChecker(jsonPath string) func(orderFile string) error {
	return func(orderFile string) error { return CheckScan(ResolveOrder(jsonPath, orderFile)) }
}

// schema is the JSON shape of Form, derived from its struct tags so that a
// field added to form.go is known to the reader at once.
type schema struct {
	kind   reflect.Kind // reflect.Struct, Slice, String or Int
	fields map[string]*schema
	elem   *schema
}

var formSchema = schemaOf(reflect.TypeOf(Form{}))

func schemaOf(t reflect.Type) *schema {
	switch t.Kind() {
	case reflect.Struct:
		s := &schema{kind: reflect.Struct, fields: map[string]*schema{}}
		for i := 0; i < t.NumField(); i++ {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			s.fields[name] = schemaOf(t.Field(i).Type)
		}
		return s
	case reflect.Slice:
		return &schema{kind: reflect.Slice, elem: schemaOf(t.Elem())}
	case reflect.String, reflect.Int:
		return &schema{kind: t.Kind()}
	}
	panic("form: no JSON schema for " + t.String()) // a programming error in form.go
}

type walker struct {
	buf []byte
	dec *json.Decoder
}

// pos is the line and column (1-based, in characters) of byte offset off.
func (w *walker) pos(off int64) []any {
	if off > int64(len(w.buf)) {
		off = int64(len(w.buf))
	}
	before := w.buf[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:]) + 1
	return []any{"line", line, "col", col}
}

func (w *walker) fail(key string, off int64, args ...any) error {
	return readErr(key, append(w.pos(off), args...)...)
}

func (w *walker) token() (json.Token, int64, error) {
	off := w.dec.InputOffset()
	tok, err := w.dec.Token()
	if err != nil {
		var se *json.SyntaxError
		switch {
		case errors.As(err, &se):
			// Token's offsets land near the bad character, sometimes on the
			// separator before it: skip to the next token so that the line
			// and column name what is wrong.
			return nil, off, &ReadError{Key: "form.read.syntax", Args: w.pos(w.skipSep(se.Offset)), Err: err}
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return nil, off, &ReadError{Key: "form.read.truncated", Err: err}
		}
		return nil, off, &ReadError{Key: "form.read.syntax", Args: w.pos(off), Err: err}
	}
	// InputOffset before Token points before any separator and space; skip
	// them so that positions name the token itself.
	return tok, w.skipSep(off), nil
}

// skipSep moves off past white space, commas and colons.
func (w *walker) skipSep(off int64) int64 {
	off = max(0, min(off, int64(len(w.buf))))
	for off < int64(len(w.buf)) && strings.IndexByte(" \t\r\n,:", w.buf[off]) >= 0 {
		off++
	}
	return off
}

// value consumes one JSON value that must have shape s; path names it for
// messages ("" is the document, then "head.position", "rows[2].iin" with
// rows counted from 1 as the form numbers them).
func (w *walker) value(s *schema, path string) error {
	tok, off, err := w.token()
	if err != nil {
		return err
	}
	if path == "" {
		if d, ok := tok.(json.Delim); !ok || d != '{' {
			return w.fail("form.read.not_object", off)
		}
	}
	switch s.kind {
	case reflect.String:
		if _, ok := tok.(string); !ok {
			return w.fail("form.read.want_text", off, "field", path)
		}
	case reflect.Int:
		n, ok := tok.(json.Number)
		if !ok {
			return w.fail("form.read.want_number", off, "field", path)
		}
		if _, err := strconv.Atoi(string(n)); err != nil {
			return w.fail("form.read.want_number", off, "field", path)
		}
	case reflect.Slice:
		if tok == nil {
			return nil
		}
		if d, ok := tok.(json.Delim); !ok || d != '[' {
			return w.fail("form.read.want_list", off, "field", path)
		}
		for i := 1; w.dec.More(); i++ {
			if err := w.value(s.elem, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		_, _, err := w.token() // ']'
		return err
	case reflect.Struct:
		if d, ok := tok.(json.Delim); !ok || d != '{' {
			return w.fail("form.read.want_object", off, "field", path)
		}
		seen := map[string]bool{}
		for w.dec.More() {
			tok, off, err := w.token()
			if err != nil {
				return err
			}
			name, _ := tok.(string) // object keys are always strings
			field := name
			if path != "" {
				field = path + "." + name
			}
			sub, ok := s.fields[name]
			if !ok {
				return w.fail("form.read.unknown_field", off, "field", field)
			}
			if seen[name] {
				return w.fail("form.read.duplicate_field", off, "field", field)
			}
			seen[name] = true
			if err := w.value(sub, field); err != nil {
				return err
			}
		}
		_, _, err := w.token() // '}'
		return err
	}
	return nil
}

// trailing fails when anything but white space follows the document.
func (w *walker) trailing() error {
	off := w.dec.InputOffset()
	rest := w.buf[off:]
	if i := bytes.IndexFunc(rest, func(r rune) bool { return !strings.ContainsRune(" \t\r\n", r) }); i >= 0 {
		return w.fail("form.read.trailing", off+int64(i))
	}
	return nil
}
