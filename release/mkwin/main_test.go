package main

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// checkICO parses an ICO and checks every image is a PNG of its size.
func checkICO(t *testing.T, ico []byte, sizes []int) {
	t.Helper()
	le := binary.LittleEndian
	if len(ico) < 6 || le.Uint16(ico[0:]) != 0 || le.Uint16(ico[2:]) != 1 || int(le.Uint16(ico[4:])) != len(sizes) {
		t.Fatalf("bad ICO header % x", ico[:min(6, len(ico))])
	}
	for i, s := range sizes {
		e := ico[6+16*i : 6+16*i+16]
		w := int(e[0])
		if w == 0 {
			w = 256
		}
		if w != s || int(e[1]) != int(e[0]) || le.Uint16(e[6:]) != 32 {
			t.Errorf("entry %d: %d px, %d bpp; want %d px 32 bpp", i, w, le.Uint16(e[6:]), s)
		}
		n, off := le.Uint32(e[8:]), le.Uint32(e[12:])
		if int(off+n) > len(ico) {
			t.Fatalf("entry %d runs past the file", i)
		}
		img, err := png.Decode(bytes.NewReader(ico[off : off+n]))
		if err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
		if b := img.Bounds(); b.Dx() != s || b.Dy() != s {
			t.Errorf("entry %d: PNG is %v, want %d×%d", i, b, s, s)
		}
	}
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	d, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		p := filepath.Dir(d)
		if p == d {
			t.Fatal("no go.mod above the test")
		}
		d = p
	}
}

func TestIcoFromAppIcon(t *testing.T) {
	in := filepath.Join(moduleRoot(t), "assets", "icon.png")
	if _, err := os.Stat(in); err != nil {
		t.Skip("assets/icon.png not there yet")
	}
	out := filepath.Join(t.TempDir(), "kense.ico")
	var so, se bytes.Buffer
	if code := run([]string{"ico", "-in", in, "-out", out}, &so, &se); code != 0 {
		t.Fatalf("exit %d: %s", code, se.String())
	}
	ico, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	checkICO(t, ico, iconSizes)
	// Same input, same bytes: the release is reproducible.
	again, _ := encodeICOFile(t, in)
	if !bytes.Equal(ico, again) {
		t.Error("two encodings of the same icon differ")
	}
}

func encodeICOFile(t *testing.T, path string) ([]byte, error) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	return encodeICO(img, iconSizes)
}

func TestIcoPlaceholderAndErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "none.png")
	out := filepath.Join(dir, "x.ico")
	var so, se bytes.Buffer
	if code := run([]string{"ico", "-in", missing, "-out", out}, &so, &se); code == 0 {
		t.Fatal("a missing icon without -placeholder must fail")
	}
	so.Reset()
	if code := run([]string{"ico", "-placeholder", "-in", missing, "-out", out}, &so, &se); code != 0 {
		t.Fatalf("placeholder: exit %d: %s", code, se.String())
	}
	if !strings.Contains(so.String(), "PLACEHOLDER") {
		t.Errorf("the placeholder is not announced: %q", so.String())
	}
	ico, _ := os.ReadFile(out)
	checkICO(t, ico, iconSizes)

	// Not a PNG, not square: clear errors.
	bad := filepath.Join(dir, "bad.png")
	os.WriteFile(bad, []byte("not a png"), 0o644)
	se.Reset()
	if code := run([]string{"ico", "-in", bad, "-out", out}, &so, &se); code == 0 || !strings.Contains(se.String(), "bad.png") {
		t.Errorf("garbage PNG: exit %d, %q", code, se.String())
	}
	if _, err := encodeICO(image.NewNRGBA(image.Rect(0, 0, 64, 32)), iconSizes); err == nil {
		t.Error("a non-square icon was accepted")
	}
	sq := image.NewNRGBA(image.Rect(0, 0, 32, 32))
	sq.Set(1, 1, color.White)
	if _, err := encodeICO(sq, []int{16, 300}); err == nil {
		t.Error("a 300 px entry was accepted")
	}
}

func TestParseToml(t *testing.T) {
	v, err := parseToml([]byte("Website = \"x\"\n[Details]\nVersion = \"1.2.3\"\nBuild = 45\n"))
	if err != nil || v != (Version{1, 2, 3, 45}) {
		t.Fatalf("got %+v, %v", v, err)
	}
	for _, bad := range []string{
		"[Details]\nName = \"Kense\"\n",
		"Version = \"1.2\"\n",
		"Version = \"1.2.3-rc.1\"\n",
		"Version = \"256.0.0\"\n",
		"Version = \"1.2.3\"\nBuild = 70000\n",
	} {
		if _, err := parseToml([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	// The repository's own FyneApp.toml must be usable for a release.
	data, err := os.ReadFile(filepath.Join(moduleRoot(t), "FyneApp.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parseToml(data); err != nil {
		t.Errorf("FyneApp.toml: %v", err)
	}
}

func TestVersionFields(t *testing.T) {
	toml := filepath.Join(t.TempDir(), "FyneApp.toml")
	os.WriteFile(toml, []byte("[Details]\nVersion = \"0.3.7\"\nBuild = 12\n"), 0o644)
	for field, want := range map[string]string{"version": "0.3.7", "build": "12", "comma": "0,3,7,12", "msi": "0.3.7.12"} {
		var so, se bytes.Buffer
		if code := run([]string{"version", "-toml", toml, "-field", field}, &so, &se); code != 0 || strings.TrimSpace(so.String()) != want {
			t.Errorf("%s: exit %d, %q (%s), want %q", field, code, so.String(), se.String(), want)
		}
	}
}

func TestNameGUID(t *testing.T) {
	// RFC 9562 / 4122 test vector: DNS namespace, "www.example.com".
	g, err := nameGUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.example.com")
	if err != nil || g != "2ED6657D-E927-568B-95E1-2665A8AEA6A2" {
		t.Fatalf("got %q, %v", g, err)
	}
	a, _ := nameGUID("{7D3A5E1C-2B4F-4C8E-9A61-5F0E2D7C4B39}", "ProductCode 0.1.0")
	b, _ := nameGUID("7D3A5E1C-2B4F-4C8E-9A61-5F0E2D7C4B39", "ProductCode 0.1.1")
	if a == b || len(a) != 36 {
		t.Errorf("versions share a ProductCode: %s %s", a, b)
	}
	for _, bad := range []string{"", "7D3A5E1C", "zz3A5E1C-2B4F-4C8E-9A61-5F0E2D7C4B39"} {
		if _, err := nameGUID(bad, "x"); err == nil {
			t.Errorf("namespace %q accepted", bad)
		}
	}
	if _, err := nameGUID("7D3A5E1C-2B4F-4C8E-9A61-5F0E2D7C4B39", ""); err == nil {
		t.Error("empty name accepted")
	}
}
