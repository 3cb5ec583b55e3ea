// Package packaging holds idpulse's release files, none of them Go: the
// macOS app bundle, universal binary, .pkg, .dmg, signing and notarization
// scripts (macos/), the Homebrew cask (homebrew/), the Linux unit, desktop
// entry and installer (linux/) and the sample MDM configuration profile
// (mdm/). cmd/icons renders the app icon. The tests in this package run the
// portable scripts and parse every generated or shipped property list.
package packaging
