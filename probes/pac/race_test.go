//go:build race

package pac

const raceEnabled = true
