package servicedesk

import (
	"testing"
	"time"

	"kense/i18n"
)

// The appendix, figure for figure.
func TestAllottedTime(t *testing.T) {
	h := time.Hour
	want := map[RequestType]map[Level]time.Duration{
		1: {Insignificant: 24 * h, Critical: 20 * h, Urgent: 16 * h, Pressing: 4 * h},
		2: {Insignificant: 24 * h, Critical: 20 * h, Urgent: 16 * h, Pressing: 4 * h},
		3: {Insignificant: 24 * h, Critical: 20 * h, Urgent: 16 * h, Pressing: 4 * h},
		4: {Insignificant: 24 * h, Critical: 20 * h, Urgent: 16 * h, Pressing: 8 * h},
		5: {Urgent: 8 * h},
		6: {Insignificant: 24 * h, Critical: 20 * h, Urgent: 16 * h},
		7: {Insignificant: 168 * h, Critical: 168 * h, Urgent: 168 * h, Pressing: 168 * h},
	}
	if len(Types()) != 7 {
		t.Fatalf("types %v", Types())
	}
	for _, typ := range Types() {
		allowed := AllowedLevels(typ)
		if len(allowed) != len(want[typ]) {
			t.Errorf("type %d allows %v", typ, allowed)
		}
		for _, l := range Levels {
			got, err := Allotted(typ, l)
			w, ok := want[typ][l]
			switch {
			case ok && (err != nil || got != w):
				t.Errorf("Allotted(%d, %s) = %s, %v; want %s", typ, l, got, err, w)
			case !ok && err == nil:
				t.Errorf("Allotted(%d, %s) = %s; want an error", typ, l, got)
			}
		}
		wantLine := 2
		if typ == 7 {
			wantLine = 3
		}
		if OperatorLine(typ) != wantLine {
			t.Errorf("type %d on line %d", typ, OperatorLine(typ))
		}
		min, max, ok := FirstResponse(typ)
		if wantAnalysis := typ != 5 && typ != 7; ok != wantAnalysis || ok && (min != 30*time.Minute || max != 2*h) {
			t.Errorf("type %d first response %s–%s %v", typ, min, max, ok)
		}
	}
	if _, err := Allotted(0, Urgent); err == nil {
		t.Error("type 0 accepted")
	}
	if _, err := Allotted(1, "high"); err == nil {
		t.Error("level high accepted")
	}
	if AllowedLevels(8) != nil {
		t.Error("type 8 has levels")
	}
}

func TestParseLevel(t *testing.T) {
	for in, want := range map[string]Level{"urgent": Urgent, " Pressing ": Pressing, "Срочный": Urgent, "шұғыл": Urgent,
		"незначительный": Insignificant, "КРИТИКАЛЫҚ": Critical, "Кезек күттірмейтін": Pressing} {
		if got, ok := ParseLevel(in); !ok || got != want {
			t.Errorf("ParseLevel(%q) = %q, %v", in, got, ok)
		}
	}
	if _, ok := ParseLevel("high"); ok {
		t.Error("high accepted")
	}
}

// Every label the package names exists in the catalogue.
func TestCatalogueKeys(t *testing.T) {
	if err := i18n.Err(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, typ := range Types() {
		keys = append(keys, TypeKey(typ))
	}
	for _, l := range Levels {
		keys = append(keys, LevelKey(l), LevelHelpKey(l))
	}
	for _, s := range Statuses {
		keys = append(keys, s.Key())
	}
	for _, l := range []Light{LightOK, LightAmber, LightRed} {
		keys = append(keys, l.Key())
	}
	keys = append(keys, "sd.firstResponse", "sd.contacts", "sd.line", "sd.allotted", "sd.hours")
	for _, k := range keys {
		for _, l := range i18n.Langs {
			if !i18n.Has(l, k) {
				t.Errorf("%s missing in %s", k, l)
			}
		}
	}
	if got := i18n.TL(i18n.EN, "sd.contacts", "phone", ReferencePhone, "email", ReferenceEmail); got != "Reference services for registering a failure or request: 14-14, sd_rn@nitec.kz" {
		t.Errorf("contacts: %q", got)
	}
}
