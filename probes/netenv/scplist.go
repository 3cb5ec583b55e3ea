package netenv

import (
	"errors"
	"fmt"
	"strings"

	"github.com/idpulse/idpulse/probes/textsafe"
)

// scValue is one value of the text scutil prints for a property list
// (SCPrint of a CFDictionary): a string, an <array> or a <dictionary>.
// Numbers, booleans and <data> all arrive as their printed string.
type scValue struct {
	str   string
	array []*scValue
	dict  map[string]*scValue
	kind  scKind
}

type scKind int

const (
	scString scKind = iota
	scArray
	scDict
)

// String returns the value when it is a scalar and "" otherwise, so callers can
// read optional keys without checking shapes.
func (v *scValue) String() string {
	if v == nil || v.kind != scString {
		return ""
	}
	return v.str
}

// get returns the child under key of a dictionary, or nil.
func (v *scValue) get(key string) *scValue {
	if v == nil || v.kind != scDict {
		return nil
	}
	return v.dict[key]
}

// list returns an array's scalar items; a lone scalar counts as a one-item
// list, which is how a hand-edited preference would most plausibly appear.
func (v *scValue) list() []string {
	if v == nil {
		return nil
	}
	switch v.kind {
	case scString:
		if v.str == "" {
			return nil
		}
		return []string{v.str}
	case scArray:
		out := make([]string, 0, len(v.array))
		for _, item := range v.array {
			if item.kind == scString && item.str != "" {
				out = append(out, item.str)
			}
		}
		return out
	}
	return nil
}

var errNotPlist = errors.New("not scutil property-list output")

// parseSCPlist parses "<dictionary> {" … "}" as printed by scutil. It is
// iterative (a stack, no recursion) so that hostile nesting cannot exhaust the
// goroutine stack, and strict: any line that is not one of the four shapes
// scutil prints is an error, because a silently half-read proxy configuration
// would produce a wrong diagnosis.
func parseSCPlist(out []byte) (*scValue, error) {
	var (
		root  *scValue
		stack []*scValue
		done  bool
		n     int
	)
	for line := range strings.Lines(string(out)) {
		n++
		t := strings.TrimSpace(line)
		if t == "" {
			continue
		}
		if done {
			return nil, fmt.Errorf("line %d: text after the closing brace: %q", n, clip(t))
		}
		if root == nil {
			if t != "<dictionary> {" {
				return nil, fmt.Errorf("line %d: %w: want \"<dictionary> {\", got %q", n, errNotPlist, clip(t))
			}
			root = &scValue{kind: scDict, dict: map[string]*scValue{}}
			stack = append(stack, root)
			continue
		}
		if t == "}" {
			stack = stack[:len(stack)-1]
			done = len(stack) == 0
			continue
		}
		// Split on the first " : " only: values such as PAC URLs contain ':'.
		key, val, ok := strings.Cut(t, " : ")
		if !ok {
			// "Key :" is what an empty string value looks like once trimmed.
			k, found := strings.CutSuffix(t, " :")
			if !found {
				return nil, fmt.Errorf("line %d: %w: %q is not \"key : value\"", n, errNotPlist, clip(t))
			}
			key = k
		}
		key = strings.TrimSpace(key)
		val = strings.TrimSpace(val)
		if key == "" {
			return nil, fmt.Errorf("line %d: %w: empty key", n, errNotPlist)
		}
		parent := stack[len(stack)-1]
		var child *scValue
		switch val {
		case "<dictionary> {":
			child = &scValue{kind: scDict, dict: map[string]*scValue{}}
		case "<array> {":
			child = &scValue{kind: scArray}
		default:
			child = &scValue{kind: scString, str: val}
		}
		if parent.kind == scArray {
			if !isDigits(key) {
				return nil, fmt.Errorf("line %d: %w: array index %q is not a number", n, errNotPlist, clip(key))
			}
			parent.array = append(parent.array, child)
		} else {
			parent.dict[key] = child
		}
		if child.kind != scString {
			stack = append(stack, child)
		}
	}
	if root == nil {
		return nil, fmt.Errorf("%w: empty output", errNotPlist)
	}
	if !done {
		return nil, fmt.Errorf("%w: truncated, %d unclosed braces", errNotPlist, len(stack))
	}
	return root, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// clip keeps error messages readable when the input is garbage.
func clip(s string) string { return textsafe.Clip(s, 60) }
