package main

import (
	"fmt"
	"io"

	"kense/i18n"
	"kense/server"
)

// runAccountHead: kense-server accounts head -data DIR -iin IIN -head IIN.
// It records the user's head, who is notified when the user reports the
// password compromised (access rule 16); an empty -head removes it.
func runAccountHead(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("accounts head", stderr)
	data := fs.String("data", "", "data directory")
	iinFlag := fs.String("iin", "", "the account's IIN")
	head := fs.String("head", "", "the head's IIN (an existing account); empty: none")
	if err := parse(fs, args); err != nil || *iinFlag == "" {
		fmt.Fprintln(stderr, i18n.T("pwc.admin.head_usage"))
		return 2
	}
	return withStore(*data, stderr, func(st server.Store) error {
		if err := server.SetHead(st, *iinFlag, *head); err != nil {
			return err
		}
		fmt.Fprintln(stdout, i18n.T("pwc.admin.head_done", "iin", *iinFlag, "head", dash(*head)))
		return nil
	})
}

// runAccountResetPassword: kense-server accounts reset-password -data DIR
// -iin IIN, the new primary password on the first line of standard input
// (as accounts create). The user must change it at the next sign-in (rule
// 14); the server keeps only its argon2id hash.
func runAccountResetPassword(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlags("accounts reset-password", stderr)
	data := fs.String("data", "", "data directory")
	iinFlag := fs.String("iin", "", "the account's IIN")
	if err := parse(fs, args); err != nil || *iinFlag == "" {
		fmt.Fprintln(stderr, i18n.T("pwc.admin.reset_usage"))
		return 2
	}
	fmt.Fprintln(stderr, i18n.T("srv.cli.password_prompt"))
	pw, err := readLine(stdin)
	if err != nil {
		return fail(stderr, err)
	}
	defer clear(pw)
	return withStore(*data, stderr, func(st server.Store) error {
		if err := server.ResetPassword(st, *iinFlag, pw, now()); err != nil {
			return err
		}
		fmt.Fprintln(stdout, i18n.T("pwc.admin.reset_done", "iin", *iinFlag))
		return nil
	})
}
