// Command mkwin makes the Windows release's build-time inputs that no
// Debian tool makes reproducibly: the app icon (.ico) from assets/icon.png,
// the version fields for the VERSIONINFO resource and the MSI, and the MSI's
// product and package codes, derived from the version so that the same
// sources give the same MSI tables. release.mk runs it; it is not shipped.
//
//	mkwin ico -in assets/icon.png -out build/kense.ico [-placeholder]
//	mkwin version -toml FyneApp.toml [-field version|build|comma|msi]
//	mkwin guid -ns UPGRADE-CODE -name TEXT
package main

import (
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/image/draw"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: mkwin ico|version|guid …")
		return 2
	}
	var err error
	switch args[0] {
	case "ico":
		err = runIco(args[1:], stdout, stderr)
	case "version":
		err = runVersion(args[1:], stdout, stderr)
	case "guid":
		err = runGUID(args[1:], stdout, stderr)
	default:
		err = fmt.Errorf("unknown command %q", args[0])
	}
	if err != nil {
		fmt.Fprintln(stderr, "mkwin:", err)
		return 1
	}
	return 0
}

// iconSizes are the sizes Explorer, the taskbar and the Start menu ask for
// at 100–200 % scaling.
var iconSizes = []int{16, 20, 24, 32, 40, 48, 64, 128, 256}

func runIco(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ico", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "", "square PNG (512×512 is best)")
	out := fs.String("out", "", "the .ico to write")
	placeholder := fs.Bool("placeholder", false, "when -in is missing, draw a placeholder instead of failing")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *in == "" || *out == "" {
		return errors.New("ico: -in and -out are required")
	}
	var src image.Image
	data, err := os.ReadFile(*in)
	switch {
	case err == nil:
		src, err = png.Decode(bytes.NewReader(data))
		if err != nil {
			return fmt.Errorf("%s: %w", *in, err)
		}
	case errors.Is(err, os.ErrNotExist) && *placeholder:
		fmt.Fprintf(stdout, "mkwin: %s is missing: the release carries a PLACEHOLDER icon\n", *in)
		src = placeholderIcon()
	default:
		return err
	}
	ico, err := encodeICO(src, iconSizes)
	if err != nil {
		return fmt.Errorf("%s: %w", *in, err)
	}
	return os.WriteFile(*out, ico, 0o644)
}

// encodeICO scales src to each size and stores PNG images in an ICO
// container (read by Windows Vista and later at every size; windres copies
// the images into RT_ICON resources as they are).
func encodeICO(src image.Image, sizes []int) ([]byte, error) {
	b := src.Bounds()
	if b.Dx() != b.Dy() || b.Dx() < 16 {
		return nil, fmt.Errorf("icon must be square and at least 16 px, got %d×%d", b.Dx(), b.Dy())
	}
	if len(sizes) == 0 || len(sizes) > 255 {
		return nil, fmt.Errorf("icon: %d sizes", len(sizes))
	}
	var images [][]byte
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	for _, s := range sizes {
		if s < 1 || s > 256 {
			return nil, fmt.Errorf("icon size %d out of 1…256", s)
		}
		dst := image.NewNRGBA(image.Rect(0, 0, s, s))
		draw.CatmullRom.Scale(dst, dst.Bounds(), src, b, draw.Src, nil)
		var buf bytes.Buffer
		if err := enc.Encode(&buf, dst); err != nil {
			return nil, err
		}
		images = append(images, buf.Bytes())
	}
	var out bytes.Buffer
	le := binary.LittleEndian
	hdr := make([]byte, 6)
	le.PutUint16(hdr[2:], 1) // type 1 = icon
	le.PutUint16(hdr[4:], uint16(len(sizes)))
	out.Write(hdr)
	offset := 6 + 16*len(sizes)
	for i, s := range sizes {
		e := make([]byte, 16)
		if s < 256 { // 0 means 256
			e[0], e[1] = byte(s), byte(s)
		}
		le.PutUint16(e[4:], 1)  // planes
		le.PutUint16(e[6:], 32) // bits per pixel
		le.PutUint32(e[8:], uint32(len(images[i])))
		le.PutUint32(e[12:], uint32(offset))
		offset += len(images[i])
		out.Write(e)
	}
	for _, img := range images {
		out.Write(img)
	}
	return out.Bytes(), nil
}

// placeholderIcon is a plain rounded-looking tile in the app's blue, used
// only when assets/icon.png does not exist yet.
func placeholderIcon() image.Image {
	const n = 256
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	blue := color.NRGBA{0x1f, 0x4e, 0x8c, 0xff}
	white := color.NRGBA{0xff, 0xff, 0xff, 0xff}
	for y := 16; y < n-16; y++ {
		for x := 16; x < n-16; x++ {
			img.SetNRGBA(x, y, blue)
		}
	}
	// A "K": a vertical bar and two diagonals.
	for y := 64; y < 192; y++ {
		for x := 80; x < 104; x++ {
			img.SetNRGBA(x, y, white)
		}
		d := y - 128
		if d < 0 {
			d = -d
		}
		for x := 104 + d - 12; x < 104+d+12; x++ {
			img.SetNRGBA(x, y, white)
		}
	}
	return img
}

// Version is FyneApp.toml's [Details] Version and Build.
type Version struct {
	Major, Minor, Patch, Build int
}

var (
	tomlVersion = regexp.MustCompile(`(?m)^\s*Version\s*=\s*"([^"]*)"\s*$`)
	tomlBuild   = regexp.MustCompile(`(?m)^\s*Build\s*=\s*(\d+)\s*$`)
	semverCore  = regexp.MustCompile(`^(\d{1,5})\.(\d{1,5})\.(\d{1,5})$`)
)

// parseToml reads the two fields from FyneApp.toml. MSI and VERSIONINFO
// take numbers only (MSI: major and minor < 256, build < 65536), so the
// version must be plain MAJOR.MINOR.PATCH.
func parseToml(data []byte) (Version, error) {
	var v Version
	m := tomlVersion.FindSubmatch(data)
	if m == nil {
		return v, errors.New("no Version = \"…\" line")
	}
	p := semverCore.FindStringSubmatch(string(m[1]))
	if p == nil {
		return v, fmt.Errorf("version %q: want MAJOR.MINOR.PATCH (numbers only: MSI and VERSIONINFO take no pre-release tags)", m[1])
	}
	v.Major, _ = strconv.Atoi(p[1])
	v.Minor, _ = strconv.Atoi(p[2])
	v.Patch, _ = strconv.Atoi(p[3])
	if b := tomlBuild.FindSubmatch(data); b != nil {
		n, err := strconv.Atoi(string(b[1]))
		if err != nil || n > 65535 {
			return v, fmt.Errorf("build %q: want 0…65535", b[1])
		}
		v.Build = n
	}
	if v.Major > 255 || v.Minor > 255 || v.Patch > 65535 {
		return v, fmt.Errorf("version %q: MSI allows major and minor up to 255, patch up to 65535", m[1])
	}
	return v, nil
}

func runVersion(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(stderr)
	toml := fs.String("toml", "FyneApp.toml", "the app's FyneApp.toml")
	field := fs.String("field", "version", "version (1.2.3), build (4), comma (1,2,3,4) or msi (1.2.3.4)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	data, err := os.ReadFile(*toml)
	if err != nil {
		return err
	}
	v, err := parseToml(data)
	if err != nil {
		return fmt.Errorf("%s: %w", *toml, err)
	}
	switch *field {
	case "version":
		fmt.Fprintf(stdout, "%d.%d.%d\n", v.Major, v.Minor, v.Patch)
	case "build":
		fmt.Fprintf(stdout, "%d\n", v.Build)
	case "comma":
		fmt.Fprintf(stdout, "%d,%d,%d,%d\n", v.Major, v.Minor, v.Patch, v.Build)
	case "msi":
		fmt.Fprintf(stdout, "%d.%d.%d.%d\n", v.Major, v.Minor, v.Patch, v.Build)
	default:
		return fmt.Errorf("unknown field %q", *field)
	}
	return nil
}

func runGUID(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("guid", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ns := fs.String("ns", "", "namespace GUID (the MSI's UpgradeCode)")
	name := fs.String("name", "", "what the GUID names, e.g. \"ProductCode 0.1.0.1\"")
	if err := fs.Parse(args); err != nil {
		return err
	}
	g, err := nameGUID(*ns, *name)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, g)
	return nil
}

// nameGUID is an RFC 9562 version-5 UUID of name in namespace ns, upper
// case as MSI tables write GUIDs: the same version always gets the same
// ProductCode, and another version another one (a major upgrade needs that).
func nameGUID(ns, name string) (string, error) {
	nsb, err := parseGUID(ns)
	if err != nil {
		return "", err
	}
	if name == "" {
		return "", errors.New("guid: empty name")
	}
	h := sha1.New()
	h.Write(nsb)
	h.Write([]byte(name))
	u := h.Sum(nil)[:16]
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return strings.ToUpper(fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])), nil
}

var guidRE = regexp.MustCompile(`^\{?([0-9A-Fa-f]{8})-([0-9A-Fa-f]{4})-([0-9A-Fa-f]{4})-([0-9A-Fa-f]{4})-([0-9A-Fa-f]{12})\}?$`)

func parseGUID(s string) ([]byte, error) {
	m := guidRE.FindStringSubmatch(s)
	if m == nil {
		return nil, fmt.Errorf("guid %q: want XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX", s)
	}
	var out []byte
	for _, part := range m[1:] {
		for i := 0; i < len(part); i += 2 {
			b, _ := strconv.ParseUint(part[i:i+2], 16, 8)
			out = append(out, byte(b))
		}
	}
	return out, nil
}
