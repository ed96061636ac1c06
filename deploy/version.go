package deploy

import (
	"net/url"
	"strconv"
	"strings"
)

// Offer is a newer release that the server announces in its policy.
type Offer struct {
	Version string // as announced, e.g. "0.2.0"
	URL     string // where to get it; empty when none (or not a safe link)
}

// CheckOffer is what the app makes of the server's announcement: ok only
// when latest is newer than current (NewerVersion). The download URL is
// kept only when ValidDownloadURL says so: it comes from the network and
// the user may open it.
func CheckOffer(current, latest, downloadURL string) (Offer, bool) {
	if !NewerVersion(current, latest) {
		return Offer{}, false
	}
	o := Offer{Version: strings.TrimPrefix(latest, "v")}
	if ValidDownloadURL(downloadURL) {
		o.URL = downloadURL
	}
	return o, true
}

// ValidDownloadURL: an absolute https URL with a host and no user info,
// at most 2048 bytes.
func ValidDownloadURL(s string) bool {
	if s == "" || len(s) > 2048 {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != "" && u.User == nil && u.Opaque == ""
}

// NewerVersion reports whether offered (the server's policy) is a newer
// release than current (version.Version), by Semantic Versioning 2.0
// precedence: "v" prefixes allowed, build metadata ignored, a pre-release
// older than its release. It is false when either is not a version (a
// "dev" build never nags, a garbled offer never shows).
func NewerVersion(current, offered string) bool {
	c, ok1 := parseSemver(current)
	o, ok2 := parseSemver(offered)
	return ok1 && ok2 && compare(o, c) > 0
}

// ValidVersion reports whether s is a version NewerVersion can compare
// (MAJOR.MINOR.PATCH[-PRE][+BUILD], an optional "v" prefix): what a server
// may announce as the latest release.
func ValidVersion(s string) bool {
	_, ok := parseSemver(s)
	return ok
}

type semver struct {
	core [3]uint64
	pre  []string // dot-separated pre-release identifiers; nil for a release
}

// parseSemver parses MAJOR.MINOR.PATCH[-PRE][+BUILD] strictly (no leading
// zeros in numbers, identifiers of [0-9A-Za-z-]).
func parseSemver(s string) (semver, bool) {
	var v semver
	s = strings.TrimPrefix(s, "v")
	if len(s) > 256 {
		return v, false
	}
	if i := strings.IndexByte(s, '+'); i >= 0 {
		if !validIdents(s[i+1:], false) {
			return v, false
		}
		s = s[:i]
	}
	if i := strings.IndexByte(s, '-'); i >= 0 {
		if !validIdents(s[i+1:], true) {
			return v, false
		}
		v.pre = strings.Split(s[i+1:], ".")
		s = s[:i]
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return v, false
	}
	for i, p := range parts {
		if !numeric(p) {
			return v, false
		}
		n, err := strconv.ParseUint(p, 10, 64)
		if err != nil {
			return v, false
		}
		v.core[i] = n
	}
	return v, true
}

// numeric: digits without a leading zero (except "0" itself).
func numeric(p string) bool {
	if p == "" || (len(p) > 1 && p[0] == '0') {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return false
		}
	}
	return true
}

func validIdents(s string, pre bool) bool {
	if s == "" {
		return false
	}
	for _, id := range strings.Split(s, ".") {
		if id == "" {
			return false
		}
		digits := true
		for i := 0; i < len(id); i++ {
			c := id[i]
			switch {
			case c >= '0' && c <= '9':
			case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-':
				digits = false
			default:
				return false
			}
		}
		if pre && digits && !numeric(id) {
			return false
		}
	}
	return true
}

func compare(a, b semver) int {
	for i := range a.core {
		if a.core[i] != b.core[i] {
			if a.core[i] > b.core[i] {
				return 1
			}
			return -1
		}
	}
	switch {
	case a.pre == nil && b.pre == nil:
		return 0
	case a.pre == nil:
		return 1
	case b.pre == nil:
		return -1
	}
	for i := 0; i < len(a.pre) && i < len(b.pre); i++ {
		x, y := a.pre[i], b.pre[i]
		xn, yn := numeric(x), numeric(y)
		switch {
		case xn && yn:
			// Equal-length digit strings compare as text; longer is larger.
			if len(x) != len(y) {
				return sign(len(x) - len(y))
			}
			if x != y {
				return strings.Compare(x, y)
			}
		case xn:
			return -1
		case yn:
			return 1
		case x != y:
			return strings.Compare(x, y)
		}
	}
	return sign(len(a.pre) - len(b.pre))
}

func sign(n int) int {
	switch {
	case n > 0:
		return 1
	case n < 0:
		return -1
	}
	return 0
}
