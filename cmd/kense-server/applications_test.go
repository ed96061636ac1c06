package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"kense/api"
	"kense/form"
	"kense/server"
)

// submitted stores two submitted applications in the data directory, as
// the server stores them, and returns their SHA-256s.
func submitted(t *testing.T, data string) (string, string) {
	t.Helper()
	st, err := server.OpenBolt(data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const iin = "780312450016"
	var shas []string
	for i, subunit := range []string{"Бірінші бөлім", "Екінші бөлім"} {
		f := form.Form{Subunit: subunit, Date: "2026-11-23", Head: form.Head{Position: "Басшы", FullName: "Нұрланова Айгүл"}}
		id := []string{"d1", "d2"}[i]
		res, err := st.PushDrafts(iin, []api.DraftChange{{Key: "k" + id, ID: id, Form: f}}, time.Now())
		if err != nil || res[0].Status != api.PushApplied {
			t.Fatalf("push: %+v %v", res, err)
		}
		app := api.Application{SHA256: form.HashHex(f), SignerIIN: iin, SignerName: "НҰРЛАНОВА АЙГҮЛ", CertSerial: "4A1B"}
		if _, err := st.SubmitDraft(iin, id, res[0].Version, app, []byte{0x30}, time.Now().Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
		shas = append(shas, app.SHA256)
	}
	return shas[0], shas[1]
}

// TestApplicationsCommands: the Operator lists the submitted applications
// and moves them on; wrong moves and a rejection without a reason are
// refused; the draft's status syncs back (a new change in the log).
func TestApplicationsCommands(t *testing.T) {
	data := t.TempDir()
	if code, out, _ := runCmd(t, "", "applications", "list", "-data", data); code != 0 || !strings.Contains(out, "No submitted applications") {
		t.Fatalf("empty list: %d %q", code, out)
	}
	a, b := submitted(t, data)

	code, out, errs := runCmd(t, "", "applications", "list", "-data", data)
	if code != 0 || !strings.Contains(out, a) || !strings.Contains(out, b) || !strings.Contains(out, "НҰРЛАНОВА АЙГҮЛ") ||
		strings.Index(out, b) > strings.Index(out, a) {
		t.Fatalf("list (newest first): %d %q %q", code, out, errs)
	}
	for _, bad := range [][]string{
		{"done", "-sha256", a},                    // submitted → done skips the decision
		{"reject", "-sha256", a},                  // no reason
		{"reject", "-sha256", a, "-reason", "  "}, // blank reason
		{"accept", "-sha256", "0000000000000000"}, // no such application
		{"accept", "-sha256", a[:4]},              // too short to tell
		{"accept", "-sha256", a, "extra"},         // stray argument
		{"accept", "-data", "", "-sha256", a},     // no data directory (replaced below)
	} {
		args := append([]string{"applications", bad[0], "-data", data}, bad[1:]...)
		if bad[1] == "-data" {
			args = append([]string{"applications"}, bad...)
		}
		code, _, errs := runCmd(t, "", args...)
		if code == 0 || errs == "" {
			t.Errorf("%v: accepted (%d)", bad, code)
		}
	}
	if code, out, errs = runCmd(t, "", "applications", "accept", "-data", data, "-sha256", a[:10]); code != 0 || !strings.Contains(out, a+": accepted") {
		t.Fatalf("accept by prefix: %d %q %q", code, out, errs)
	}
	if code, _, errs = runCmd(t, "", "applications", "done", "-data", data, "-sha256", a); code != 0 {
		t.Fatalf("done: %d %q", code, errs)
	}
	if code, _, errs = runCmd(t, "", "applications", "reject", "-data", data, "-sha256", strings.ToUpper(b), "-reason", "бұйрық қоса берілмеген"); code != 0 {
		t.Fatalf("reject: %d %q", code, errs)
	}
	if code, _, _ = runCmd(t, "", "applications", "accept", "-data", data, "-sha256", b); code == 0 {
		t.Fatal("a rejected application accepted")
	}
	code, out, _ = runCmd(t, "", "applications", "list", "-data", data, "-json")
	var list []api.Application
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list) != 2 {
		t.Fatalf("json: %d %q", code, out)
	}
	got := map[string]api.Application{list[0].SHA256: list[0], list[1].SHA256: list[1]}
	if got[a].Status != api.AppDone || got[b].Status != api.AppRejected || got[b].Reason != "бұйрық қоса берілмеген" {
		t.Fatalf("statuses %+v", got)
	}
	if code, out, _ = runCmd(t, "", "applications", "list", "-data", data, "-status", "rejected"); code != 0 || strings.Contains(out, a) || !strings.Contains(out, b) {
		t.Fatalf("filtered: %q", out)
	}
	// The decisions reach the head's workstations by sync.
	st, err := server.OpenBolt(data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cr, err := st.DraftChanges("780312450016", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cr.Changes {
		if want := map[string]string{"d1": api.AppDone, "d2": api.AppRejected}[c.ID]; c.AppStatus != want {
			t.Errorf("draft %s syncs %q, want %q", c.ID, c.AppStatus, want)
		}
	}
	if code, _, _ := runCmd(t, "", "applications", "approve", "-data", data); code != 2 {
		t.Fatal("unknown verb")
	}
}
