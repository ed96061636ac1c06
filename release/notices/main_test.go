package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// notices runs the generator on the real module graph, as release.mk does.
func notices(t *testing.T, targets ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "THIRD_PARTY_NOTICES.txt")
	if err := run("go", out, targets); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// section returns the text of the section whose title line starts with
// prefix (up to the next section), or fails.
func section(t *testing.T, text, prefix string) string {
	t.Helper()
	parts := strings.Split(text, "\n"+rule)
	for i := 1; i+1 < len(parts); i += 2 {
		if strings.HasPrefix(parts[i]+"\n", prefix) { // a prefix ending in \n is the whole title
			return parts[i+1]
		}
	}
	t.Fatalf("no section %q in the notices", prefix)
	return ""
}

func readRepo(t *testing.T, rel string) string {
	t.Helper()
	s, err := licenceText(filepath.Join("..", "..", rel))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestKenseWindowsNotices(t *testing.T) {
	text := notices(t, "windows/amd64/cgo:kense/cmd/kense")
	if !strings.HasPrefix(text, "Third-party notices for kense.exe (windows/amd64, cgo)\n") {
		t.Errorf("header: %q", text[:min(80, len(text))])
	}
	// The key modules, each with its own licence text.
	for mod, licence := range map[string]string{
		"fyne.io/fyne/v2 v":                    "Copyright (C) 2018 Fyne.io developers",
		"go.etcd.io/bbolt v":                   "Copyright (c) 2013 Ben Johnson",
		"github.com/go-resty/resty/v2 v":       "Jeevanandam M",
		"github.com/johnfercher/maroto/v2 v":   "MIT License",
		"github.com/boombuler/barcode v":       "Florian Sundermann",
		"golang.org/x/crypto v":                "Additional IP Rights Grant (Patents)",
		"github.com/go-text/typesetting v":     "--- harfbuzz/LICENSE ---\n\nMIT License\n\nCopyright (c) 2021 B. KUGLER",
		"github.com/go-gl/glfw/v3.3/glfw v":    "",
		"Go standard library and runtime go1.": "Copyright 2009 The Go Authors",
	} {
		body := section(t, text, mod)
		if !strings.Contains(body, "\n--- ") || !strings.Contains(body, licence) {
			t.Errorf("%s: licence text missing or without %q:\n%.300s", mod, licence, body)
		}
	}
	// The patched gofpdf: named as replaced, with the LICENSE from third_party.
	gofpdf := section(t, text, "github.com/phpdave11/gofpdf v1.4.3, replaced by ./third_party/gofpdf (patched, see KENSE.md)\n")
	if !strings.Contains(gofpdf, readRepo(t, "third_party/gofpdf/LICENSE")) {
		t.Error("gofpdf section lacks third_party/gofpdf/LICENSE")
	}
	// The embedded Noto Sans with the OFL, and Fyne's fonts with theirs.
	fonts := section(t, text, "Fonts in assets/fonts: NotoSans-Bold.ttf, NotoSans-Regular.ttf\n")
	if !strings.Contains(fonts, "--- OFL.txt ---\n\n"+readRepo(t, "assets/fonts/OFL.txt")) {
		t.Error("the fonts section lacks assets/fonts/OFL.txt")
	}
	if !strings.Contains(section(t, text, "Fonts in fyne.io/fyne/v2/theme/font: "), "SIL OPEN FONT LICENSE") {
		t.Error("Fyne's fonts lack their OFL")
	}
	// Kense itself is no third party; no build machine paths; sorted.
	if regexp.MustCompile(`(?m)^kense[ /]`).MatchString(text) {
		t.Error("Kense's own module is listed")
	}
	if wd, _ := os.Getwd(); strings.Contains(text, filepath.Dir(filepath.Dir(wd))) || strings.Contains(text, "/pkg/mod/") {
		t.Error("the notices contain a path of the build machine")
	}
	var titles []string
	for _, l := range strings.Split(strings.SplitN(text, "\n\n"+rule, 2)[0], "\n") {
		if strings.HasPrefix(l, "  ") && strings.Contains(l, ".") && !strings.HasPrefix(l, "  Go ") && !strings.HasPrefix(l, "  Fonts ") {
			titles = append(titles, l)
		}
	}
	if len(titles) < 20 || !slices.IsSorted(titles) {
		t.Errorf("contents not a sorted module list: %q", titles)
	}
	if again := notices(t, "windows/amd64/cgo:kense/cmd/kense"); again != text {
		t.Error("two runs differ")
	}
}

// The target matters: the server for Linux links no GUI, and a program set
// lists each module once.
func TestTargets(t *testing.T) {
	server := notices(t, "linux/amd64:kense/cmd/kense-server")
	if strings.Contains(server, "fyne.io/fyne/v2") || !strings.Contains(server, "\ngo.etcd.io/bbolt v") {
		t.Error("kense-server's notices are not its own module set")
	}
	both := notices(t, "windows/amd64/cgo:kense/cmd/kense", "windows/amd64:kense/cmd/kensectl")
	if !strings.HasPrefix(both, "Third-party notices for kense.exe (windows/amd64, cgo), kensectl.exe (windows/amd64)\n") {
		t.Errorf("header: %.100q", both)
	}
	if n := strings.Count(both, "\n"+rule+"go.etcd.io/bbolt v"); n != 1 {
		t.Errorf("bbolt listed %d times", n)
	}
	if n := strings.Count(both, "  Fonts in assets/fonts: NotoSans-Bold.ttf, NotoSans-Regular.ttf\n"); n != 1 {
		t.Errorf("Kense's fonts listed %d times", n)
	}
	for _, bad := range []string{"", "./cmd/kense", "windows:./cmd/kense", "windows/amd64/gcc:./cmd/kense", "windows/amd64:"} {
		if err := run("go", "", []string{bad}); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// A module or a font folder without a licence file stops the release.
func TestMissingLicenceFails(t *testing.T) {
	goroot := t.TempDir()
	os.WriteFile(filepath.Join(goroot, "LICENSE"), []byte("Go licence\n"), 0o644)
	licensed, bare := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(licensed, "COPYING.txt"), []byte("MIT\r\n"), 0o644)
	os.WriteFile(filepath.Join(bare, "README.md"), []byte("no licence here\n"), 0o644)
	os.WriteFile(filepath.Join(bare, "license.go"), []byte("package x\n"), 0o644)

	g := &graph{Programs: []string{"x.exe"}, GoVersion: "go1.0", GoRoot: goroot,
		Modules: []module{{Path: "example.com/ok", Version: "v1.0.0", Dir: licensed}}}
	var out strings.Builder
	if err := write(&out, g); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "--- COPYING.txt ---\n\nMIT\n") {
		t.Errorf("licence not copied (with LF line ends):\n%s", out.String())
	}

	g.Modules = append(g.Modules, module{Path: "example.com/bare", Version: "v0.1.0", Dir: bare})
	err := write(&out, g)
	if err == nil || !strings.Contains(err.Error(), "example.com/bare v0.1.0: no licence file") {
		t.Errorf("module without a licence: err = %v", err)
	}

	g.Modules = g.Modules[:1]
	g.Fonts = []fontDir{{Name: "fonts", Dir: bare, Files: []string{"X.ttf"}}}
	if err := write(&out, g); err == nil || !strings.Contains(err.Error(), "Fonts in fonts: X.ttf") {
		t.Errorf("font folder without a licence: err = %v", err)
	}
}

// Licences in folders between the module root and a linked package are
// found and printed after the root's, by relative path.
func TestSubfolderLicences(t *testing.T) {
	mod := t.TempDir()
	for _, f := range []string{"LICENSE", "port/COPYING", "port/inner/pkg/x.go", "other/LICENSE"} {
		os.MkdirAll(filepath.Join(mod, filepath.Dir(f)), 0o755)
		os.WriteFile(filepath.Join(mod, f), []byte(f+" text\n"), 0o644)
	}
	subs := subLicenceDirs(mod, filepath.Join(mod, "port", "inner", "pkg"))
	if !slices.Equal(subs, []string{"port"}) {
		t.Fatalf("subLicenceDirs = %q, want [port]", subs)
	}
	if got := subLicenceDirs(mod, mod); got != nil {
		t.Errorf("the root is no subfolder: %q", got)
	}
	g := &graph{GoVersion: "go1.0", GoRoot: mod,
		Modules: []module{{Path: "example.com/m", Version: "v1.0.0", Dir: mod, SubLicences: subs}}}
	var out strings.Builder
	if err := write(&out, g); err != nil {
		t.Fatal(err)
	}
	body := section(t, out.String(), "example.com/m v1.0.0\n")
	if want := "\n--- LICENSE ---\n\nLICENSE text\n\n--- port/COPYING ---\n\nport/COPYING text\n"; body != want {
		t.Errorf("section:\n%q\nwant\n%q", body, want)
	}
	// A subfolder licence does not stand in for the root's.
	os.Remove(filepath.Join(mod, "LICENSE"))
	if err := write(&out, g); err == nil {
		t.Error("no error for a module without a root licence")
	}
}

func TestLicenceNames(t *testing.T) {
	for name, want := range map[string]bool{
		"LICENSE": true, "LICENSE.txt": true, "LICENSE.md": true, "license": true, "LICENCE": true,
		"LICENSE-MIT": true, "LICENSE_Inter.txt": true, "LICENSE.libyaml": true, "COPYING": true,
		"NOTICE": true, "PATENTS": true, "OFL.txt": true,
		"license.go": false, "LICENSES": false, "README.md": false, "licenseutil.go": false, "OFLX": false,
	} {
		if got := isLicenceName(name); got != want {
			t.Errorf("isLicenceName(%q) = %v", name, got)
		}
	}
}
