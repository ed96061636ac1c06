package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kense/i18n"
)

func sla(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	rc := run(append([]string{"sla"}, args...), &out, &errb)
	return rc, out.String(), errb.String()
}

func TestSLA(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		// The example: 16 working hours from Friday 17:00.
		{[]string{"-type", "1", "-level", "urgent", "-opened", "2026-11-20T17:00:00+05:00"}, "2026-11-24T11:30:00+05:00"},
		// The same instant in UTC, the level in Russian and in Kazakh.
		{[]string{"-type", "2", "-level", "Срочный", "-opened", "2026-11-20T12:00:00Z"}, "2026-11-24T11:30:00+05:00"},
		{[]string{"-opened", "2026-11-20T17:00:00+05:00", "-level", "шұғыл", "-type", "3"}, "2026-11-24T11:30:00+05:00"},
		// 16 December 2026 (Wednesday) is Independence Day.
		{[]string{"-type", "1", "-level", "pressing", "-opened", "2026-12-15T17:00:00+05:00"}, "2026-12-17T11:30:00+05:00"},
		// Across the new year: 1–2 January 2027 and the moved Monday 4 January.
		{[]string{"-type", "4", "-level", "urgent", "-opened", "2026-12-30T17:00:00+05:00"}, "2027-01-05T17:00:00+05:00"},
		{[]string{"-type", "7", "-level", "insignificant", "-opened", "2026-11-16T09:00:00+05:00"}, "2026-12-11T13:00:00+05:00"},
	}
	for _, c := range cases {
		rc, out, errs := sla(c.args...)
		if rc != 0 || out != c.want+"\n" {
			t.Errorf("%v: rc=%d out=%q err=%q, want %s", c.args, rc, out, errs, c.want)
		}
	}
}

func TestSLACalendarFile(t *testing.T) {
	dir := t.TempDir()
	cal := filepath.Join(dir, "calendar.json")
	// Monday 23 November made a day off: Friday 17:00 + 16 h lands on Wednesday.
	if err := os.WriteFile(cal, []byte(`{"holidays":[],"movedWorkdays":[],"movedDaysOff":["2026-11-23"]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	rc, out, errs := sla("-type", "1", "-level", "urgent", "-opened", "2026-11-20T17:00:00+05:00", "-calendar", cal)
	if rc != 0 || out != "2026-11-25T11:30:00+05:00\n" {
		t.Fatalf("rc=%d out=%q err=%q", rc, out, errs)
	}
	bad := filepath.Join(dir, "bad.json")
	_ = os.WriteFile(bad, []byte(`{"holidays":["2026-13-01"]}`), 0o600)
	for _, f := range []string{bad, filepath.Join(dir, "missing.json")} {
		if rc, out, errs := sla("-type", "1", "-level", "urgent", "-opened", "2026-11-20T17:00:00+05:00", "-calendar", f); rc != 2 || out != "" || !strings.Contains(errs, f) {
			t.Errorf("%s: rc=%d out=%q err=%q", f, rc, out, errs)
		}
	}
}

func TestSLABadInput(t *testing.T) {
	// The messages are checked in English; the catalogue test covers the rest.
	defer i18n.SetLang(i18n.Current())
	i18n.SetLang(i18n.EN)
	cases := []struct {
		args []string
		says string
	}{
		{nil, "-type"},
		{[]string{"-level", "urgent", "-opened", "2026-11-20T17:00:00+05:00"}, "-type"},
		{[]string{"-type", "1", "-opened", "2026-11-20T17:00:00+05:00"}, "-level"},
		{[]string{"-type", "1", "-level", "urgent"}, "-opened"},
		{[]string{"-type", "9", "-level", "urgent", "-opened", "2026-11-20T17:00:00+05:00"}, "9"},
		{[]string{"-type", "x", "-level", "urgent", "-opened", "2026-11-20T17:00:00+05:00"}, "-type"},
		{[]string{"-type", "5", "-level", "critical", "-opened", "2026-11-20T17:00:00+05:00"}, "Critical"},
		{[]string{"-type", "1", "-level", "high", "-opened", "2026-11-20T17:00:00+05:00"}, "high"},
		{[]string{"-type", "1", "-level", "urgent", "-opened", "2026-11-20 17:00"}, "RFC 3339"},
		{[]string{"-type", "1", "-level", "urgent", "-opened", "2026-11-20T17:00:00+05:00", "extra"}, "extra"},
		{[]string{"-nope"}, "-nope"},
	}
	for _, c := range cases {
		rc, out, errs := sla(c.args...)
		if rc != 2 || out != "" || !strings.Contains(errs, c.says) || !strings.Contains(errs, "usage:") {
			t.Errorf("%v: rc=%d out=%q err=%q (want it to mention %q)", c.args, rc, out, errs, c.says)
		}
	}
}
