package main

import (
	"bytes"
	"flag"
	"io"
	"testing"
)

func TestParseInterleaved(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	o := fs.String("o", "", "")
	var crl multiFlag
	fs.Var(&crl, "crl", "")
	pos, err := parseInterleaved(fs, []string{"a.json", "-o", "out.pdf", "b", "-crl", "1", "-crl", "2"})
	if err != nil || *o != "out.pdf" || len(pos) != 2 || pos[0] != "a.json" || pos[1] != "b" || len(crl) != 2 {
		t.Fatalf("pos=%v o=%q crl=%v err=%v", pos, *o, crl, err)
	}
}

func TestUnknownCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if rc := run([]string{"nope"}, &out, &errb); rc != 2 {
		t.Fatalf("rc=%d", rc)
	}
	if rc := run(nil, io.Discard, &errb); rc != 2 {
		t.Fatalf("rc=%d", rc)
	}
}
