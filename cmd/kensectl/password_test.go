package main

import (
	"strings"
	"testing"

	"kense/i18n"
)

// runPasswordCheck runs "kensectl password check" with input on stdin.
func runPasswordCheck(t *testing.T, input string, args ...string) (int, string, string) {
	t.Helper()
	prev := stdin
	stdin = strings.NewReader(input)
	t.Cleanup(func() { stdin = prev })
	return runCmd(t, append([]string{"password", "check"}, args...)...)
}

var aigerimArgs = []string{"-login", "a.seitova", "-name", "Сейтова Айгерім Қанатқызы", "-iin", "850315427522"}

func TestPasswordCheckGood(t *testing.T) {
	useLang(t, i18n.EN)
	for _, in := range []string{"Zebra#Lamp7\n", "Zebra#Lamp7", "Zebra#Lamp7\r\n"} {
		rc, out, errs := runPasswordCheck(t, in, aigerimArgs...)
		if rc != 0 || out != "The password meets all 9 rules checked here (the server also checks it against your earlier passwords)\n" || errs != "" {
			t.Errorf("%q: rc=%d out=%q err=%q", in, rc, out, errs)
		}
	}
	// With -old: the previous password first, then the new one.
	rc, out, errs := runPasswordCheck(t, "Vk7#mPz2!q\nZebra#Lamp7\n", append(aigerimArgs, "-old")...)
	if rc != 0 || errs != "" || !strings.HasPrefix(out, "The password meets all 10 rules") {
		t.Errorf("-old: rc=%d out=%q err=%q", rc, out, errs)
	}
}

func TestPasswordCheckBroken(t *testing.T) {
	useLang(t, i18n.EN)
	rc, out, errs := runPasswordCheck(t, "Seitova15.03.1985\n", aigerimArgs...)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	wantLines := []string{
		"The password contains part of your login",
		"The password contains your date of birth",
		"The password is too easy to guess: about 10^3 attempts, at least 10^8 are needed",
	}
	if rc != 1 || strings.Join(lines, "|") != strings.Join(wantLines, "|") || errs != "3 rule(s) broken\n" {
		t.Errorf("rc=%d out=%q err=%q", rc, out, errs)
	}
	// Cyrillic, too short, two classes only: in Russian.
	useLang(t, i18n.RU)
	rc, out, _ = runPasswordCheck(t, "йцукен12\n", aigerimArgs...)
	for _, w := range []string{
		"В пароле символы 1 вида(ов)",
		"В пароле есть кириллические буквы",
		"Пароль содержит последовательность клавиатуры",
	} {
		if rc != 1 || !strings.Contains(out, w) {
			t.Errorf("missing %q: rc=%d out=%q", w, rc, out)
		}
	}
	// -old: too close to the previous password.
	useLang(t, i18n.EN)
	rc, out, _ = runPasswordCheck(t, "Zebra#Lamp7\nZebra#Lamp8\n", append(aigerimArgs, "-old")...)
	if rc != 1 || out != "The new password differs from the previous one in 1 position(s); at least 5 are needed\n" {
		t.Errorf("-old close: rc=%d out=%q", rc, out)
	}
	// An empty line is a blank password, not missing input.
	rc, out, _ = runPasswordCheck(t, "\n", aigerimArgs...)
	if rc != 1 || !strings.Contains(out, "The password is blank\n") {
		t.Errorf("blank: rc=%d out=%q", rc, out)
	}
	// The password itself never appears in the output.
	for _, p := range []string{"Seitova15.03.1985", "Zebra#Lamp8"} {
		if strings.Contains(out, p) {
			t.Errorf("output quotes the password: %q", out)
		}
	}
}

func TestPasswordCheckBadInput(t *testing.T) {
	useLang(t, i18n.EN)
	for _, c := range []struct {
		in   string
		args []string
		err  string
	}{
		{"", aigerimArgs, "kensectl password: No password on standard input\n"},
		{"Vk7#mPz2!q\n", append(aigerimArgs, "-old"), "kensectl password: -old: the previous and the new password must be on two lines\n"},
		{"Zebra#Lamp7\n", []string{"-login", "x", "-name", "Y Z", "-iin", "850315427523"}, "kensectl password: -iin 850315427523: not a valid IIN\n"},
		{"Zebra#Lamp7\n", []string{"-login", "x", "-iin", "850315427522"}, "usage: kensectl password check"},
		{"Zebra#Lamp7\n", append(aigerimArgs, "extra"), "usage: kensectl password check"},
	} {
		rc, out, errs := runPasswordCheck(t, c.in, c.args...)
		if rc != 2 || out != "" || !strings.HasPrefix(errs, c.err) {
			t.Errorf("%q %v: rc=%d out=%q err=%q", c.in, c.args, rc, out, errs)
		}
	}
	if rc, _, errs := runCmd(t, "password"); rc != 2 || !strings.HasPrefix(errs, "usage: kensectl password check") {
		t.Errorf("no verb: rc=%d err=%q", rc, errs)
	}
}
