// Command notices writes the THIRD_PARTY_NOTICES.txt that ships with each
// release artefact: every module linked into the given programs, with its
// version and the full text of its licence files, then the fonts they embed,
// with the fonts' licences. MIT and BSD want the copyright notice to go with
// every binary copy, the OFL wants its text to go with the fonts.
//
//	notices [-go go] -o FILE TARGET:PKG...
//
// TARGET is GOOS/GOARCH, or GOOS/GOARCH/cgo for a cgo build, as the program
// is built in release.mk, e.g.
//
//	notices -o notices.txt windows/amd64/cgo:./cmd/kense windows/amd64:./cmd/kensectl
//
// The modules come from `go list -deps` with the target's GOOS, GOARCH and
// CGO_ENABLED, not from `go version -m` on the built binary. Both give the
// same modules (the build info in a binary is computed from this very package
// graph), but go list also tells where each module's files are (its licence)
// and which files each package embeds (the fonts), and it needs no build: the
// test runs it for windows/amd64 on Linux in a second. The cost is that the
// targets must match release.mk's go build lines; release/verify.sh compares
// the result with `go version -m` of the built binaries to catch a mismatch.
//
// Licence files are taken from each module's root, plus any found in the
// folders leading to a linked package (a port of other code keeps its own
// notice there). A module without a licence file at its root, or an embedded
// font's folder without one, is an error: a new dependency cannot slip into a
// release without its notice.
// Standard library only: it runs before anything else is trusted.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

func main() {
	goCmd := flag.String("go", "go", "the go command that builds the release")
	out := flag.String("o", "", "output file (default: standard output)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: notices [-go go] [-o FILE] GOOS/GOARCH[/cgo]:PKG...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if err := run(*goCmd, *out, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "notices:", err)
		os.Exit(1)
	}
}

func run(goCmd, out string, args []string) error {
	if len(args) == 0 {
		return errors.New("no TARGET:PKG given")
	}
	var targets []target
	for _, a := range args {
		t, err := parseTarget(a)
		if err != nil {
			return err
		}
		targets = append(targets, t)
	}
	g, err := load(goCmd, targets)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := write(&buf, g); err != nil {
		return err
	}
	if out == "" {
		_, err = os.Stdout.Write(buf.Bytes())
		return err
	}
	return os.WriteFile(out, buf.Bytes(), 0o644)
}

// target is one program as release.mk builds it.
type target struct {
	GOOS, GOARCH string
	Cgo          bool
	Pkg          string
}

func parseTarget(s string) (target, error) {
	plat, pkg, ok := strings.Cut(s, ":")
	f := strings.Split(plat, "/")
	if !ok || pkg == "" || len(f) < 2 || len(f) > 3 || f[0] == "" || f[1] == "" || (len(f) == 3 && f[2] != "cgo") {
		return target{}, fmt.Errorf("%q: want GOOS/GOARCH[/cgo]:PKG", s)
	}
	return target{GOOS: f[0], GOARCH: f[1], Cgo: len(f) == 3, Pkg: pkg}, nil
}

// String names the program the way a user sees it: kense.exe (windows/amd64, cgo).
func (t target) String() string {
	name := path.Base(filepath.ToSlash(t.Pkg))
	if t.GOOS == "windows" {
		name += ".exe"
	}
	cgo := ""
	if t.Cgo {
		cgo = ", cgo"
	}
	return fmt.Sprintf("%s (%s/%s%s)", name, t.GOOS, t.GOARCH, cgo)
}

// module is a linked module, as go list reports it.
type module struct {
	Path, Version string
	Main          bool
	Dir           string // where its files are (the replacement's, if replaced)
	Replace       *module
	// Folders below Dir, on the way to a linked package, with licence files
	// of their own: code the module took from elsewhere (go-text's port of
	// HarfBuzz in harfbuzz/LICENSE) keeps its authors' notice there.
	SubLicences []string `json:"-"`
}

// fontDir is one folder of embedded font files.
type fontDir struct {
	Name  string   // as printed: "assets/fonts" (Kense's own) or "fyne.io/fyne/v2/theme/font"
	Dir   string   // on disk
	Files []string // the embedded font files' names, sorted
}

// graph is everything the notices list.
type graph struct {
	Programs  []string
	GoVersion string // the toolchain whose standard library and runtime are linked
	GoRoot    string
	Modules   []module  // sorted by path, without Kense's own
	Fonts     []fontDir // sorted by name
}

// load asks go list for the packages each target links.
func load(goCmd string, targets []target) (*graph, error) {
	g := &graph{}
	mods := map[string]module{}
	subs := map[string]map[string]bool{} // module path → SubLicences
	fonts := map[string]*fontDir{}
	for _, t := range targets {
		g.Programs = append(g.Programs, t.String())
		cgo := "CGO_ENABLED=0"
		if t.Cgo {
			cgo = "CGO_ENABLED=1"
		}
		env := append(os.Environ(), "GOOS="+t.GOOS, "GOARCH="+t.GOARCH, cgo)
		if g.GoRoot == "" {
			out, err := goOutput(goCmd, env, "env", "GOROOT", "GOVERSION")
			if err != nil {
				return nil, err
			}
			f := strings.Split(strings.TrimSpace(string(out)), "\n") // one a line: GOROOT may hold spaces
			if len(f) != 2 {
				return nil, fmt.Errorf("go env GOROOT GOVERSION: %q", out)
			}
			g.GoRoot, g.GoVersion = f[0], f[1]
		}
		out, err := goOutput(goCmd, env, "list", "-deps", "-json=ImportPath,Dir,Standard,EmbedFiles,Module", t.Pkg)
		if err != nil {
			return nil, err
		}
		dec := json.NewDecoder(bytes.NewReader(out))
		for dec.More() {
			var p struct {
				ImportPath, Dir string
				Standard        bool
				EmbedFiles      []string
				Module          *module
			}
			if err := dec.Decode(&p); err != nil {
				return nil, fmt.Errorf("go list %s: %v", t.Pkg, err)
			}
			if p.Standard {
				continue // the Go licence below covers the standard library
			}
			if p.Module == nil {
				return nil, fmt.Errorf("package %s belongs to no module", p.ImportPath)
			}
			if !p.Module.Main {
				mods[p.Module.Path] = *p.Module
				if subs[p.Module.Path] == nil {
					subs[p.Module.Path] = map[string]bool{}
				}
				for _, d := range subLicenceDirs(p.Module.Dir, p.Dir) {
					subs[p.Module.Path][d] = true
				}
			}
			addFonts(fonts, p.ImportPath, p.Dir, *p.Module, p.EmbedFiles)
		}
	}
	for _, m := range mods {
		for d := range subs[m.Path] {
			m.SubLicences = append(m.SubLicences, d)
		}
		sort.Strings(m.SubLicences)
		g.Modules = append(g.Modules, m)
	}
	sort.Slice(g.Modules, func(i, j int) bool { return g.Modules[i].Path < g.Modules[j].Path })
	for _, f := range fonts {
		sort.Strings(f.Files)
		g.Fonts = append(g.Fonts, *f)
	}
	sort.Slice(g.Fonts, func(i, j int) bool { return g.Fonts[i].Name < g.Fonts[j].Name })
	return g, nil
}

func goOutput(goCmd string, env []string, args ...string) ([]byte, error) {
	cmd := exec.Command(goCmd, args...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return out, nil
}

// subLicenceDirs returns the folders from pkgDir up to (not including)
// modDir that hold licence files, relative to modDir, with slashes.
func subLicenceDirs(modDir, pkgDir string) []string {
	rel, err := filepath.Rel(modDir, pkgDir)
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		return nil
	}
	var dirs []string
	for d := filepath.ToSlash(rel); d != "."; d = path.Dir(d) {
		if _, err := licenceFiles(filepath.Join(modDir, filepath.FromSlash(d))); err == nil {
			dirs = append(dirs, d)
		}
	}
	return dirs
}

var fontExts = map[string]bool{".ttf": true, ".otf": true, ".ttc": true, ".woff": true, ".woff2": true}

// addFonts records the font files a package embeds, by folder: the licence
// is looked for next to the fonts (assets/fonts/OFL.txt, Fyne's theme/font/).
func addFonts(fonts map[string]*fontDir, importPath, pkgDir string, m module, embeds []string) {
	for _, e := range embeds {
		if !fontExts[strings.ToLower(path.Ext(e))] {
			continue
		}
		rel := path.Dir(e)
		name := path.Join(importPath, rel)
		if m.Main {
			// Kense's own fonts by their place in the repository, not an
			// import path ("kense/assets/fonts" is no folder a reader finds).
			r, err := filepath.Rel(m.Dir, filepath.Join(pkgDir, rel))
			if err == nil {
				name = filepath.ToSlash(r)
			}
		}
		f := fonts[name]
		if f == nil {
			f = &fontDir{Name: name, Dir: filepath.Join(pkgDir, filepath.FromSlash(rel))}
			fonts[name] = f
		}
		if n := path.Base(e); !slices.Contains(f.Files, n) { // two programs, one package
			f.Files = append(f.Files, n)
		}
	}
}

// licenceStems are the names of licence files, without extension or suffix:
// LICENSE, LICENSE.txt, LICENSE.md, LICENSE-MIT, LICENSE_Inter.txt,
// LICENSE.libyaml, COPYING.txt, NOTICE, PATENTS (golang.org/x, Go), OFL.txt.
var licenceStems = []string{"LICENSE", "LICENCE", "COPYING", "COPYRIGHT", "NOTICE", "PATENTS", "UNLICENSE", "OFL"}

func isLicenceName(name string) bool {
	u := strings.ToUpper(name)
	if strings.HasSuffix(u, ".GO") {
		return false // license.go is code, not a licence
	}
	for _, s := range licenceStems {
		if u == s || (strings.HasPrefix(u, s) && strings.ContainsRune(".-_", rune(u[len(s)]))) {
			return true
		}
	}
	return false
}

// licenceFiles returns the licence files directly in dir, sorted by name;
// an error if there are none.
func licenceFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && isLicenceName(e.Name()) {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		return nil, errors.New("no licence file (LICENSE, COPYING, NOTICE, …)")
	}
	return names, nil // ReadDir sorts
}

// licenceText reads a licence file as UTF-8 text with LF line ends.
func licenceText(file string) (string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	b = bytes.TrimPrefix(b, []byte("\ufeff"))
	if !utf8.Valid(b) {
		return "", fmt.Errorf("%s is not UTF-8", file)
	}
	s := strings.ReplaceAll(string(b), "\r\n", "\n")
	return strings.TrimRight(s, " \t\n") + "\n", nil
}

const rule = "================================================================================\n"

// write prints the notices: a header, a contents list, then one section per
// component with its licence texts.
func write(w io.Writer, g *graph) error {
	type section struct {
		title string
		dir   string
		subs  []string // folders below dir with licences of their own
	}
	secs := []section{{title: "Go standard library and runtime " + g.GoVersion, dir: g.GoRoot}}
	for _, m := range g.Modules {
		title := m.Path + " " + m.Version
		if r := m.Replace; r != nil {
			if r.Version != "" {
				title += ", replaced by " + r.Path + " " + r.Version
			} else if _, err := os.Stat(filepath.Join(m.Dir, "KENSE.md")); err == nil {
				title += ", replaced by " + r.Path + " (patched, see KENSE.md)"
			} else {
				title += ", replaced by the local copy " + r.Path
			}
		}
		secs = append(secs, section{title, m.Dir, m.SubLicences})
	}
	for _, f := range g.Fonts {
		secs = append(secs, section{title: "Fonts in " + f.Name + ": " + strings.Join(f.Files, ", "), dir: f.Dir})
	}

	var b strings.Builder
	fmt.Fprintf(&b, "Third-party notices for %s\n\n", strings.Join(g.Programs, ", "))
	b.WriteString("Besides Kense's own code, the programs above contain the software and\n" +
		"fonts listed below, each under its own licence, whose full text follows\n" +
		"its name and version. Made by release/notices from the Go module graph.\n\n")
	for _, s := range secs {
		b.WriteString("  " + s.title + "\n")
	}
	for _, s := range secs {
		// The licence at the root is required, whatever the folders below hold.
		names, err := licenceFiles(s.dir)
		if err != nil {
			return fmt.Errorf("%s: %v", s.title, err)
		}
		for _, d := range s.subs {
			more, err := licenceFiles(filepath.Join(s.dir, filepath.FromSlash(d)))
			if err != nil {
				return fmt.Errorf("%s: %s: %v", s.title, d, err)
			}
			for _, n := range more {
				names = append(names, d+"/"+n)
			}
		}
		b.WriteString("\n" + rule + s.title + "\n" + rule)
		for _, n := range names {
			text, err := licenceText(filepath.Join(s.dir, filepath.FromSlash(n)))
			if err != nil {
				return fmt.Errorf("%s: %v", s.title, err)
			}
			fmt.Fprintf(&b, "\n--- %s ---\n\n%s", n, text)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
