//go:build !darwin

package notify

import (
	"reflect"
	"testing"
)

func TestBeeepIcon(t *testing.T) {
	png := []byte("\x89PNG")
	tests := []struct {
		goos string
		png  []byte
		want any
	}{
		{"linux", png, png},
		{"linux", nil, "dialog-information"},
		{"freebsd", nil, "dialog-information"},
		{"windows", png, png},
		{"windows", nil, ""},
	}
	for _, tt := range tests {
		if got := beeepIcon(tt.goos, tt.png); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("beeepIcon(%s, %v) = %#v, want %#v", tt.goos, tt.png != nil, got, tt.want)
		}
	}
}
