package server

import (
	"bytes"
	"image"
	"image/png"
	"net/http"
	"testing"

	"kense/api"
	"kense/servicedesk"
)

func tkPNG(t testing.TB, w int) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, w, 3))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestTicketFiles(t *testing.T) {
	e := newTkEnv(t)
	shot := tkPNG(t, 5)
	a, err := servicedesk.NewAttachment("screen.png", shot)
	if err != nil {
		t.Fatal(err)
	}
	tk := newTicket("with-file", 1, servicedesk.Urgent)
	tk.Attachments = []servicedesk.Attachment{a}
	if st, _ := e.file(tkUser, tk, ""); st != http.StatusCreated {
		t.Fatalf("file: %d", st)
	}
	path := api.PathTicket + "with-file/files/" + a.SHA256
	if st, _ := e.req("GET", path, tkStaff, nil); st != http.StatusNotFound {
		t.Fatalf("before upload: %d", st)
	}
	for name, c := range map[string]struct {
		iin  string
		path string
		body []byte
		want int
	}{
		"other bytes":      {tkUser, path, tkPNG(t, 6), http.StatusBadRequest},
		"not listed":       {tkUser, api.PathTicket + "with-file/files/" + "00" + a.SHA256[2:], shot, http.StatusNotFound},
		"staff uploads":    {tkStaff, path, shot, http.StatusForbidden},
		"another's ticket": {tkOther, path, shot, http.StatusNotFound},
	} {
		if st, b := e.req("PUT", c.path, c.iin, bytes.NewReader(c.body)); st != c.want {
			t.Errorf("%s: %d %s", name, st, b)
		}
	}
	for range 2 { // idempotent
		if st, b := e.req("PUT", path, tkUser, bytes.NewReader(shot)); st != http.StatusNoContent {
			t.Fatalf("upload: %d %s", st, b)
		}
	}
	for _, iin := range []string{tkStaff, tkUser} {
		st, b := e.req("GET", path, iin, nil)
		if st != http.StatusOK || !bytes.Equal(b, shot) {
			t.Fatalf("download by %s: %d", iin, st)
		}
	}
	if st, _ := e.req("GET", path, tkOther, nil); st != http.StatusNotFound {
		t.Fatalf("download by another: %d", st)
	}
}
