package main

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

func TestMain(m *testing.M) {
	// agent/icon's large sizes take seconds (minutes under -race); the
	// scaling path is the same from 32 px as from 256.
	nativeMax = 32
	os.Exit(m.Run())
}

func TestIconsetNames(t *testing.T) {
	want := map[string]int{
		"icon_16x16.png": 16, "icon_16x16@2x.png": 32, "icon_32x32.png": 32, "icon_32x32@2x.png": 64,
		"icon_128x128.png": 128, "icon_128x128@2x.png": 256, "icon_256x256.png": 256, "icon_256x256@2x.png": 512,
		"icon_512x512.png": 512, "icon_512x512@2x.png": 1024,
	}
	got := Iconset()
	if len(got) != len(want) {
		t.Fatalf("%d entries, want %d: %v", len(got), len(want), got)
	}
	for _, e := range got {
		if want[e.Name] != e.Px {
			t.Errorf("%s: %d px, want %d", e.Name, e.Px, want[e.Name])
		}
	}
}

func TestWriteIconset(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idpulse.iconset")
	if err := run(dir, "", 0); err != nil {
		t.Fatal(err)
	}
	for _, e := range Iconset() {
		data, err := os.ReadFile(filepath.Join(dir, e.Name))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", e.Name, err)
		}
		if b := img.Bounds(); b.Dx() != e.Px || b.Dy() != e.Px {
			t.Errorf("%s: %v, want %dx%d", e.Name, b, e.Px, e.Px)
		}
		// Something is drawn: not every pixel transparent.
		opaque := 0
		for y := 0; y < e.Px; y++ {
			for x := 0; x < e.Px; x++ {
				if _, _, _, a := img.At(x, y).RGBA(); a > 0x8000 {
					opaque++
				}
			}
		}
		if opaque < e.Px*e.Px/20 {
			t.Errorf("%s: only %d opaque pixels", e.Name, opaque)
		}
	}
}

func TestRunFlags(t *testing.T) {
	if err := run("", "", 0); err == nil {
		t.Error("no output: want an error")
	}
	if err := run("", filepath.Join(t.TempDir(), "x.png"), 4096); err == nil {
		t.Error("-size 4096: want an error")
	}
	out := filepath.Join(t.TempDir(), "share", "idpulse.png")
	if err := run("", out, 256); err != nil {
		t.Fatal(err)
	}
}
