package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"image"
	"image/png"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kense/api"
	"kense/i18n"
	"kense/server"
)

type tkNoEDS struct{}

func (tkNoEDS) VerifyCMS(_, _ []byte, _ string) (*server.Verified, error) {
	return nil, errors.New("no EDS sign-in here")
}

func tkRun(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// A ticket filed offline with kensectl waits in the profile's outbox; sync
// registers it once against a real kense-server; list shows it with its
// deadline.
func TestTicketsFileSyncList(t *testing.T) {
	i18n.SetLang(i18n.EN)
	profile := t.TempDir()
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(t.TempDir(), "screen.png")
	if err := os.WriteFile(shot, img.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := tkRun("tickets", "file", "-profile", profile, "-type", "1", "-level", "urgent",
		"-brief", "Карточка не открывается", "-nature", "Ошибка 500", "-name", "Асель", "-phone", "14-14",
		"-property", "20-311-001-123", "-attach", shot)
	if code != 0 {
		t.Fatalf("file: %d %s", code, errs)
	}
	id := strings.TrimSpace(out)
	if id == "" || !strings.Contains(errs, id) {
		t.Fatalf("file printed %q / %q", out, errs)
	}
	code, out, _ = tkRun("tickets", "list", "-profile", profile)
	if code != 0 || !strings.Contains(out, id) || !strings.Contains(out, "Waiting to be sent") {
		t.Fatalf("list offline: %d\n%s", code, out)
	}

	st, err := server.OpenBolt(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := server.CreateAccount(st, server.NewAccount{IIN: "780312450016", FullName: "Асель Н", Kind: api.KindUNIS}, time.Now()); err != nil {
		t.Fatal(err)
	}
	tok, err := server.IssueSession(st, "780312450016", time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{Store: st, Verifier: tkNoEDS{}})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()

	t.Setenv("KENSE_TOKEN", "")
	if code, _, errs := tkRun("tickets", "sync", "-profile", profile, "-server", hs.URL); code != 2 || !strings.Contains(errs, "KENSE_TOKEN") {
		t.Fatalf("sync without a token: %d %s", code, errs)
	}
	code, out, errs = tkRun("tickets", "sync", "-profile", profile, "-server", hs.URL, "-token", tok)
	if code != 0 || !strings.Contains(out, "SD-") || !strings.Contains(out, "1 registered now") || !strings.Contains(out, "files uploaded: 1") {
		t.Fatalf("sync: %d\n%s%s", code, out, errs)
	}
	// Again: nothing new is registered.
	code, out, _ = tkRun("tickets", "sync", "-profile", profile, "-server", hs.URL, "-token", tok, "-json")
	var rep struct{ Filed, Pulled int }
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || rep.Filed != 0 || rep.Pulled != 1 {
		t.Fatalf("second sync: %d %s", code, out)
	}
	recs, _ := st.TicketRecs(func(*server.TicketRecord) bool { return true })
	if len(recs) != 1 || recs[0].Ticket.ID != id || len(recs[0].Ticket.Attachments) != 1 {
		t.Fatalf("server tickets: %d", len(recs))
	}
	if data, err := st.TicketFile(id, recs[0].Ticket.Attachments[0].SHA256); err != nil || !bytes.Equal(data, img.Bytes()) {
		t.Fatalf("the screenshot on the server: %v", err)
	}
	t.Setenv("KENSE_TOKEN", tok)
	code, out, errs = tkRun("tickets", "list", "-profile", profile, "-server", hs.URL, "-json")
	var rows []ticketRow
	if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 1 {
		t.Fatalf("list -server: %d %s %s", code, out, errs)
	}
	r := rows[0]
	if r.Number != recs[0].Ticket.Number || r.Status != "registered" || r.LeftMinutes == nil || *r.LeftMinutes > 16*60 || r.Deadline.IsZero() {
		t.Fatalf("row %+v", r)
	}
	code, out, _ = tkRun("tickets", "list", "-profile", profile)
	if code != 0 || !strings.Contains(out, r.Number) || !strings.Contains(out, "Registered") {
		t.Fatalf("table: %s", out)
	}
}

func TestTicketsFileRefusesBadInput(t *testing.T) {
	i18n.SetLang(i18n.EN)
	profile := t.TempDir()
	png := filepath.Join(t.TempDir(), "shot.png")
	os.WriteFile(png, []byte("not a png"), 0o600)
	base := []string{"tickets", "file", "-profile", profile, "-brief", "b", "-nature", "n", "-name", "A", "-phone", "14-14"}
	for name, extra := range map[string][]string{
		"type 5 is urgent only": {"-type", "5", "-level", "critical"},
		"no level":              {"-type", "1"},
		"bad incident":          {"-type", "1", "-level", "urgent", "-incident", "yesterday"},
		"fake png":              {"-type", "1", "-level", "urgent", "-attach", png},
		"missing file":          {"-type", "1", "-level", "urgent", "-attach", filepath.Join(profile, "none.pdf")},
	} {
		if code, _, errs := tkRun(append(base, extra...)...); code != 2 || errs == "" {
			t.Errorf("%s: %d %s", name, code, errs)
		}
	}
	if code, _, _ := tkRun("tickets"); code != 2 {
		t.Error("no verb")
	}
	if code, _, _ := tkRun("tickets", "sync", "-profile", profile); code != 2 {
		t.Error("sync without -server")
	}
	if code, out, _ := tkRun("tickets", "list", "-profile", profile, "-json"); code != 0 || strings.TrimSpace(out) != "[]" {
		t.Errorf("nothing was filed: %d %s", code, out)
	}
}
