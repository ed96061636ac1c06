package i18n

import "testing"

// Every key must exist in all three languages, and no file may be broken.
func TestCatalogueComplete(t *testing.T) {
	if err := Err(); err != nil {
		t.Fatal(err)
	}
	for _, l := range Langs {
		for _, other := range Langs {
			for _, k := range Keys(l) {
				if !Has(other, k) {
					t.Errorf("key %q is in %s but missing in %s", k, l, other)
				}
			}
		}
	}
}

func TestPlaceholders(t *testing.T) {
	if got := TL(EN, "i18n.test", "n", 3); got != "Row 3" {
		t.Fatalf("got %q", got)
	}
	if got := TL(KK, "no.such.key"); got != "no.such.key" {
		t.Fatalf("missing key: got %q", got)
	}
}

func TestParse(t *testing.T) {
	for in, want := range map[string]Lang{"kk": KK, "ru-RU": RU, "en_US.UTF-8": EN} {
		if got, ok := Parse(in); !ok || got != want {
			t.Errorf("Parse(%q) = %q, %v", in, got, ok)
		}
	}
	if _, ok := Parse("de"); ok {
		t.Error("de accepted")
	}
}
