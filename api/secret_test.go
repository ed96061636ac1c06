package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSecretRoundTrip(t *testing.T) {
	for _, s := range []string{"", "Qwerty12", "қазақ \"тілі\" \\ / \t\n", "😀<&>", "\x00\x1f"} {
		b, err := json.Marshal(SignInRequest{Password: Secret(s)})
		if err != nil {
			t.Fatal(err)
		}
		var std struct{ Password string }
		if err := json.Unmarshal(b, &std); err != nil || std.Password != s {
			t.Errorf("encoding/json reads %q as %q (%v)", s, std.Password, err)
		}
		var r SignInRequest
		if err := json.Unmarshal(b, &r); err != nil || string(r.Password) != s {
			t.Errorf("round trip %q → %q (%v)", s, r.Password, err)
		}
	}
}

func TestSecretHidden(t *testing.T) {
	s := Secret("Qwerty12")
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "pw", s)
	if out := fmt.Sprint(s) + fmt.Sprintf("%v %s", s, s) + buf.String(); strings.Contains(out, "Qwerty12") {
		t.Fatalf("secret shown: %s", out)
	}
	s.Wipe()
	if string(s) != "\x00\x00\x00\x00\x00\x00\x00\x00" {
		t.Fatalf("not wiped: %q", s)
	}
}

// FuzzSecret: the hand-written decoder agrees with encoding/json on every
// JSON string it accepts, and refuses what encoding/json refuses.
func FuzzSecret(f *testing.F) {
	for _, s := range []string{`"abc"`, `"\u0430\ud83d\ude00"`, `"\ud800"`, `"\ud800\u0041"`, `"a\"b\\c\/"`, `null`, `"\x"`, `"` + "\xff" + `"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var s Secret
		err := json.Unmarshal(data, &s)
		var std *string
		stdErr := json.Unmarshal(data, &std)
		if err != nil {
			if stdErr == nil && std != nil {
				t.Fatalf("refused %q, encoding/json reads %q", data, *std)
			}
			return
		}
		if stdErr != nil {
			t.Fatalf("accepted %q, encoding/json: %v", data, stdErr)
		}
		if std == nil {
			if s != nil {
				t.Fatal("null gave bytes")
			}
			return
		}
		if got := fixUTF8(s); got != *std {
			t.Fatalf("%q: got %q, encoding/json %q", data, []byte(s), *std)
		}
		// Encoding back gives a string encoding/json reads as the same text.
		b, _ := s.MarshalJSON()
		var back string
		if err := json.Unmarshal(b, &back); err != nil || back != fixUTF8(s) {
			t.Fatalf("re-encoded %q → %s (%v)", []byte(s), b, err)
		}
	})
}

// fixUTF8 replaces each invalid byte with U+FFFD, as encoding/json does.
func fixUTF8(b []byte) string {
	var out strings.Builder
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		out.WriteRune(r)
		b = b[n:]
	}
	return out.String()
}
