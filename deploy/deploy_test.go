package deploy

import (
	"runtime"
	"strings"
	"testing"
)

func TestSettingsFromEnvironment(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows reads the registry")
	}
	t.Setenv(EnvServerURL, " https://kense.example.kz/ ")
	t.Setenv(EnvIdleLockMinutes, "10")
	u, m := Settings()
	if u != "https://kense.example.kz" || m != 10 {
		t.Fatalf("Settings() = %q, %d", u, m)
	}
	t.Setenv(EnvServerURL, "ftp://kense.example.kz")
	t.Setenv(EnvIdleLockMinutes, "ten")
	if u, m := Settings(); u != "" || m != 0 {
		t.Fatalf("bad values gave %q, %d; want the app's defaults", u, m)
	}
	t.Setenv(EnvServerURL, "")
	t.Setenv(EnvIdleLockMinutes, "")
	if u, m := Settings(); u != "" || m != 0 {
		t.Fatalf("unset gave %q, %d", u, m)
	}
}

func TestCleanURL(t *testing.T) {
	cases := map[string]string{
		"https://kense.example.kz":                              "https://kense.example.kz",
		"https://kense.example.kz:8443/":                        "https://kense.example.kz:8443",
		"https://kense.example.kz/api//":                        "https://kense.example.kz/api",
		"http://127.0.0.1:8443":                                 "http://127.0.0.1:8443",
		"http://localhost:8443":                                 "http://localhost:8443",
		"http://[::1]:8443":                                     "http://[::1]:8443",
		"http://kense.example.kz":                               "", // clear text beyond this machine
		"https://user:pw@kense.example.kz":                      "", // no secrets in a setting
		"kense.example.kz":                                      "",
		"https://":                                              "",
		"mailto:a@b.kz":                                         "",
		"https://kense.example.kz/" + strings.Repeat("a", 3000): "",
		"": "",
	}
	for in, want := range cases {
		if got := cleanURL(in); got != want {
			t.Errorf("cleanURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCleanMinutes(t *testing.T) {
	cases := map[string]int{"10": 10, " 5 ": 5, "1": 1, "1440": 1440, "1441": 0, "0": 0, "-3": 0, "": 0, "10m": 0, "99999999999999999999": 0}
	for in, want := range cases {
		if got := cleanMinutes(in); got != want {
			t.Errorf("cleanMinutes(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestNewerVersion(t *testing.T) {
	// Semantic Versioning 2.0's own precedence example, oldest first.
	order := []string{"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
		"1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "1.10.0", "2.0.0", "10.0.0"}
	for i := range order {
		for j := range order {
			if got, want := NewerVersion(order[i], order[j]), j > i; got != want {
				t.Errorf("NewerVersion(%q, %q) = %v, want %v", order[i], order[j], got, want)
			}
		}
	}
	cases := []struct {
		cur, off string
		want     bool
	}{
		{"0.1.0", "v0.2.0", true},
		{"v0.1.0", "0.1.0", false},
		{"0.1.0", "0.1.0+build.7", false}, // build metadata is not newer
		{"0.1.0+a", "0.1.1+b", true},
		{"dev", "9.9.9", false}, // developer builds never nag
		{"0.1.0", "", false},
		{"0.1.0", "latest", false},
		{"0.1.0", "1.2", false},
		{"0.1.0", "01.2.3", false},
		{"0.1.0", "1.2.3-01", false},
		{"0.1.0", "1.2.3-", false},
		{"0.1.0", "1.2.3-a..b", false},
		{"0.1.0", "1.2.3+", false},
		{"0.1.0", "1.2.3-a_b", false},
		{"0.1.0", "1.2.3.4", false},
		{"0.1.0", "99999999999999999999.0.0", false},
		{"0.1.0", " 0.2.0", false},
		{"0.1.0", "0.2.0-rc.1", true},
		{"0.2.0-rc.1", "0.2.0", true},
		{"0.2.0", "0.2.0-rc.2", false},
	}
	for _, c := range cases {
		if got := NewerVersion(c.cur, c.off); got != c.want {
			t.Errorf("NewerVersion(%q, %q) = %v, want %v", c.cur, c.off, got, c.want)
		}
	}
}

// FuzzNewerVersion: the offered version comes from the network.
func FuzzNewerVersion(f *testing.F) {
	for _, s := range [][2]string{{"0.1.0", "0.2.0"}, {"1.0.0-alpha.1", "1.0.0-alpha.beta"}, {"v1.2.3+x", "1.2.3-rc.1"}, {"dev", "x"}, {"1.0.0-0", "1.0.0-a"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		ab, ba := NewerVersion(a, b), NewerVersion(b, a)
		if ab && ba {
			t.Fatalf("%q and %q are each newer than the other", a, b)
		}
		if NewerVersion(a, a) {
			t.Fatalf("%q is newer than itself", a)
		}
		if _, ok := parseSemver(b); !ok && ab {
			t.Fatalf("invalid offer %q reported newer than %q", b, a)
		}
	})
}

func TestCheckOffer(t *testing.T) {
	cases := []struct {
		cur, latest, url string
		ok               bool
		want             Offer
	}{
		{"0.1.0", "0.2.0", "https://kense.kz/download", true, Offer{"0.2.0", "https://kense.kz/download"}},
		{"0.1.0", "v0.2.0", "", true, Offer{Version: "0.2.0"}},
		{"0.1.0", "0.2.0", "http://kense.kz/kense.msi", true, Offer{Version: "0.2.0"}},                     // not https: no link
		{"0.1.0", "0.2.0", "https://user:pw@kense.kz/", true, Offer{Version: "0.2.0"}},                     // user info: no link
		{"0.1.0", "0.2.0", "javascript:alert(1)", true, Offer{Version: "0.2.0"}},                           // no link
		{"0.1.0", "0.2.0", "https:///kense.msi", true, Offer{Version: "0.2.0"}},                            // no host
		{"0.1.0", "0.2.0", "https://kense.kz/" + strings.Repeat("a", 2048), true, Offer{Version: "0.2.0"}}, // too long
		{"0.2.0", "0.2.0", "https://kense.kz/", false, Offer{}},
		{"0.3.0", "0.2.0", "https://kense.kz/", false, Offer{}},
		{"dev", "0.2.0", "https://kense.kz/", false, Offer{}},
		{"0.1.0", "", "https://kense.kz/", false, Offer{}},
	}
	for _, c := range cases {
		got, ok := CheckOffer(c.cur, c.latest, c.url)
		if ok != c.ok || got != c.want {
			t.Errorf("CheckOffer(%q, %q, %q) = %+v, %v; want %+v, %v", c.cur, c.latest, c.url, got, ok, c.want, c.ok)
		}
	}
	for s, want := range map[string]bool{"0.2.0": true, "v1.0.0-rc.1": true, "1.2": false, "": false, "latest": false} {
		if ValidVersion(s) != want {
			t.Errorf("ValidVersion(%q) = %v", s, !want)
		}
	}
}
