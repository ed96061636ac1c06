package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

var errTooLarge = fmt.Errorf("request body larger than %d bytes", MaxBodyBytes)

// DecodeStrict decodes one JSON object into v: unknown fields, trailing data
// and bodies over MaxBodyBytes are errors.
func DecodeStrict(data []byte, v any) error {
	if len(data) > MaxBodyBytes {
		return errTooLarge
	}
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

// decodeBody reads and decodes the request body, then wipes the buffer: it
// may have held a password. allowEmpty accepts an absent body.
func decodeBody(r *http.Request, v any, allowEmpty bool) error {
	data, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	defer clear(data)
	if err != nil {
		return fmt.Errorf("request body: %w", err)
	}
	if allowEmpty && len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	return DecodeStrict(data, v)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"code":"internal","message":"encoding error"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
