# shellcheck shell=bash disable=SC2034 # the variables are for the scripts that source this file
# Shared by the packaging scripts: sourced, never run.
#
# Every identifier the release uses is here, and launchd.Label in Go says the
# same (a Go test keeps them in step).

# bash 5.2 reads '&' in a ${var//pattern/replacement} replacement as the
# match; bash 3.2 (macOS) does not have the option. Same behaviour for both.
shopt -u patsub_replacement 2>/dev/null || true

BUNDLE_ID=io.idpulse.agent          # CFBundleIdentifier, LaunchAgent label, MDM domain
PKG_ID=io.idpulse.agent.pkg         # the .pkg receipt (pkgutil --pkgs)
MIN_MACOS=12.0                      # LSMinimumSystemVersion; Go 1.26 supports macOS 12+
APP_NAME=idpulse

log() { printf '==> %s: %s\n' "${0##*/}" "$*" >&2; }
die() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 1; }

# require_macos stops on anything but macOS: these scripts drive Apple's
# tools (lipo, iconutil, codesign, pkgbuild, hdiutil, notarytool).
require_macos() {
	if [[ "$(uname -s)" != Darwin ]]; then
		die "needs macOS (it runs Apple's ${1:-packaging} tools); on Linux use 'make install-linux'"
	fi
}

# repo_root is the repository root (the scripts live in packaging/macos).
repo_root() { (cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd); }

# describe is the version every artifact carries: git describe, as the
# Makefile stamps it into the binary (VERSION overrides).
describe() {
	if [[ -n "${VERSION:-}" ]]; then
		printf '%s\n' "$VERSION"
		return
	fi
	git -C "$(repo_root)" describe --tags --always --dirty 2>/dev/null || echo dev
}

# short_version turns a git describe into CFBundleShortVersionString
# (major.minor.patch): v1.2.3-4-gabcdef0-dirty -> 1.2.3. Without a release
# tag it is 0.0.0.
short_version() {
	local d=${1#v}
	if [[ "$d" =~ ^([0-9]+)(\.([0-9]+))?(\.([0-9]+))? ]]; then
		printf '%s.%s.%s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[3]:-0}" "${BASH_REMATCH[5]:-0}"
	else
		echo 0.0.0
	fi
}

# build_number is CFBundleVersion: an integer that grows with every commit
# (BUILD_NUMBER overrides, e.g. from CI).
build_number() {
	if [[ -n "${BUILD_NUMBER:-}" ]]; then
		printf '%s\n' "$BUILD_NUMBER"
		return
	fi
	git -C "$(repo_root)" rev-list --count HEAD 2>/dev/null || echo 0
}

# xml_escape escapes a value for an XML text node.
xml_escape() {
	local s=$1
	s=${s//&/&amp;}
	s=${s//</&lt;}
	s=${s//>/&gt;}
	printf '%s' "$s"
}
