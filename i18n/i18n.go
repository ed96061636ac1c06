// Package i18n is Kense's translation catalogue: Kazakh, Russian and English.
// Every user-facing string goes through T (or TL for a given language); the
// texts live in assets/i18n/<lang>/<area>.json.
package i18n

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"kense/assets"
)

// Lang is a catalogue language code.
type Lang string

const (
	KK Lang = "kk"
	RU Lang = "ru"
	EN Lang = "en"
)

// Langs lists the supported languages in the order the settings show them.
var Langs = []Lang{KK, RU, EN}

// Parse maps a code such as "kk", "ru-RU" or "en_US.UTF-8" to a supported
// language; ok is false when it is none of them.
func Parse(s string) (Lang, bool) {
	s = strings.ToLower(s)
	for _, l := range Langs {
		if strings.HasPrefix(s, string(l)) {
			return l, true
		}
	}
	return "", false
}

var (
	loadOnce sync.Once
	catalog  map[Lang]map[string]string
	loadErr  error
	current  atomic.Value // Lang
)

func init() { current.Store(KK) }

// SetLang changes the language that T uses.
func SetLang(l Lang) {
	if _, ok := load()[l]; ok {
		current.Store(l)
	}
}

// Current is the language T uses.
func Current() Lang { return current.Load().(Lang) }

// T translates key into the current language. args are name/value pairs that
// fill {name} placeholders: T("row.n", "n", 3).
func T(key string, args ...any) string { return TL(Current(), key, args...) }

// TL translates key into language l. A missing key falls back to English and
// then to the key itself, so a gap shows up as text, never as a crash.
func TL(l Lang, key string, args ...any) string {
	c := load()
	s, ok := c[l][key]
	if !ok {
		if s, ok = c[EN][key]; !ok {
			s = key
		}
	}
	if len(args) < 2 {
		return s
	}
	pairs := make([]string, 0, len(args))
	for i := 0; i+1 < len(args); i += 2 {
		pairs = append(pairs, "{"+fmt.Sprint(args[i])+"}", fmt.Sprint(args[i+1]))
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// Has reports whether key exists in language l's catalogue.
func Has(l Lang, key string) bool { _, ok := load()[l][key]; return ok }

// Keys lists every key of language l, sorted.
func Keys(l Lang) []string {
	var ks []string
	for k := range load()[l] {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Err reports a broken catalogue (bad JSON, a key defined twice); tests
// check it so that a broken file never ships.
func Err() error { load(); return loadErr }

func load() map[Lang]map[string]string {
	loadOnce.Do(func() { catalog, loadErr = read(assets.I18n, "i18n") })
	return catalog
}

func read(fsys fs.FS, dir string) (map[Lang]map[string]string, error) {
	out := map[Lang]map[string]string{}
	var errs []string
	for _, l := range Langs {
		out[l] = map[string]string{}
		files, _ := fs.Glob(fsys, path.Join(dir, string(l), "*.json"))
		for _, f := range files {
			b, err := fs.ReadFile(fsys, f)
			if err != nil {
				errs = append(errs, err.Error())
				continue
			}
			var m map[string]string
			if err := json.Unmarshal(b, &m); err != nil {
				errs = append(errs, f+": "+err.Error())
				continue
			}
			for k, v := range m {
				if _, dup := out[l][k]; dup {
					errs = append(errs, f+": key "+k+" defined twice")
				}
				out[l][k] = v
			}
		}
	}
	if len(errs) > 0 {
		return out, fmt.Errorf("i18n: %s", strings.Join(errs, "; "))
	}
	return out, nil
}
