package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestHelpListsCommands: `lastmile help` lists every registered subcommand
// with its summary, including the ones the issues require.
func TestHelpListsCommands(t *testing.T) {
	var out, errOut bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut}
	if code := Run(context.Background(), env, []string{"help"}); code != 0 {
		t.Fatalf("lastmile help exit = %d, want 0", code)
	}
	for _, name := range []string{"version", "solve", "locate", "cover", "plan", "serve"} {
		if _, ok := commands[name]; !ok {
			t.Errorf("command %q is not registered", name)
		}
	}
	for name, c := range commands {
		if !strings.Contains(errOut.String(), "  "+name+" ") || !strings.Contains(errOut.String(), c.summary) {
			t.Errorf("help does not list %q with its summary:\n%s", name, errOut.String())
		}
	}
}

func TestRunExitCodes(t *testing.T) {
	tests := []struct {
		args []string
		want int
	}{
		{nil, 2},
		{[]string{"no-such-command"}, 2},
		{[]string{"version"}, 0},
		{[]string{"version", "--no-such-flag"}, 2},
		{[]string{"help", "serve"}, 0},
		{[]string{"serve", "-h"}, 0},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out}
		if got := Run(context.Background(), env, tt.args); got != tt.want {
			t.Errorf("Run(%q) = %d, want %d: %s", tt.args, got, tt.want, out.String())
		}
	}
}
