package cli

import (
	"bytes"
	"errors"
	"flag"
	"testing"
)

func TestParseFlags(t *testing.T) {
	tests := []struct {
		args    []string
		wantErr string // "" for none
		help    bool
	}{
		{[]string{"--json"}, "", false},
		{[]string{"-h"}, "", true},
		{[]string{"--help"}, "", true},
		{[]string{"--bogus"}, "flag provided but not defined: -bogus", false},
		{[]string{"--json", "extra"}, `unexpected argument "extra"`, false},
	}
	for _, tt := range tests {
		fs := flag.NewFlagSet("demo", flag.ContinueOnError)
		var asJSON bool
		fs.BoolVar(&asJSON, "json", false, "")
		var out bytes.Buffer
		err := ParseFlags(fs, tt.args, &out, "Usage: demo\n")
		var ue *UsageError
		switch {
		case tt.help:
			if !errors.Is(err, ErrHelp) || out.String() != "Usage: demo\n" {
				t.Errorf("%q: err %v, out %q; want ErrHelp and the usage", tt.args, err, out.String())
			}
		case tt.wantErr == "":
			if err != nil || !asJSON || out.Len() > 0 {
				t.Errorf("%q: err %v, json %v, out %q", tt.args, err, asJSON, out.String())
			}
		case !errors.As(err, &ue) || ue.Command != "demo" || ue.Error() != tt.wantErr || out.Len() > 0:
			t.Errorf("%q: err %#v, out %q; want a UsageError %q for demo", tt.args, err, out.String(), tt.wantErr)
		}
	}
}
