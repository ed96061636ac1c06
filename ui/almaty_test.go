package ui

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"kense/i18n"
)

// envAlmatyChild marks the child run of TestTimesShownInAlmaty.
const envAlmatyChild = "KENSE_UI_ALMATY_CHILD"

// TestTimesShownInAlmaty runs TestAlmatyUnderForeignZone again in a child
// process whose own zone (TZ) is far from Almaty's: what the user reads must
// be Asia/Almaty time there as well.
func TestTimesShownInAlmaty(t *testing.T) {
	if os.Getenv(envAlmatyChild) != "" {
		t.Skip("the child runs TestAlmatyUnderForeignZone only")
	}
	for _, tz := range []string{"America/Los_Angeles", "UTC"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestAlmatyUnderForeignZone$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), "TZ="+tz, envAlmatyChild+"=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestAlmatyUnderForeignZone") {
			t.Fatalf("TZ=%s: %v\n%s", tz, err, out)
		}
	}
}

func TestAlmatyUnderForeignZone(t *testing.T) {
	if os.Getenv(envAlmatyChild) == "" {
		t.Skip("run by TestTimesShownInAlmaty with another TZ")
	}
	// 31 Dec 2026 20:30 UTC is already 1 Jan 2027 01:30 in Almaty (UTC+5).
	at := time.Date(2026, 12, 31, 20, 30, 0, 0, time.UTC)
	if _, off := at.Local().Zone(); off == 5*3600 {
		t.Fatalf("the child's zone %s is Almaty's offset: the test proves nothing", time.Local)
	}
	if got := showInAlmaty(at, "02.01.2006 15:04"); got != "01.01.2027 01:30" {
		t.Errorf("showInAlmaty = %q, want 01.01.2027 01:30 (local would be %s)", got, at.Local().Format("02.01.2006 15:04"))
	}
	if got := emptyForm(at).Date; got != "2027-01-01" {
		t.Errorf("a new form is dated %s, want Almaty's 2027-01-01", got)
	}
	if got := showDay(at); got != "01.01.2027" {
		t.Errorf("showDay = %q", got)
	}
	if got := fileName("pdf", "", at); got != "application-2027-01-01.pdf" {
		t.Errorf("fileName = %q", got)
	}

	// The drafts list, as drawn.
	s := newMemStore()
	s.put(validForm(t, 1), at)
	h := newHarness(t, s)
	i18n.SetLang(i18n.EN)
	h.app.drafts.reload()
	want := i18n.T("ui.drafts.updated", "when", "01.01.2027 01:30")
	if txt := strings.Join(canvasTexts(h.win.Canvas(), false), "\n"); !strings.Contains(txt, want) {
		t.Errorf("the drafts list lacks %q:\n%s", want, txt)
	}
}
