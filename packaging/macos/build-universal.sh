#!/usr/bin/env bash
# Builds a universal macOS binary (arm64 + x86_64) with lipo.
#
#   build-universal.sh [OUT]        default dist/idpulse
#
# cgo is required (the menu bar is Cocoa), so this runs on a Mac with the
# Xcode command line tools; clang cross-compiles the other architecture.
# The version is stamped as the Makefile does (VERSION overrides).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_macos "lipo and clang"

root=$(repo_root)
cd "$root"
out=${1:-dist/idpulse}
version=$(describe)
go=${GO:-go}
ldflags="-s -w -X github.com/idpulse/idpulse/cmd/idpulse/internal/version.Version=$version"
mkdir -p "$(dirname "$out")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

export CGO_ENABLED=1 GOOS=darwin MACOSX_DEPLOYMENT_TARGET="$MIN_MACOS"
export CGO_CFLAGS="-mmacosx-version-min=$MIN_MACOS" CGO_LDFLAGS="-mmacosx-version-min=$MIN_MACOS"
for goarch in arm64 amd64; do
	arch=$goarch
	[[ $goarch == amd64 ]] && arch=x86_64
	log "go build darwin/$goarch ($version)"
	GOARCH=$goarch CC="clang -arch $arch" "$go" build -trimpath -ldflags "$ldflags" -o "$tmp/idpulse-$goarch" ./cmd/idpulse
done
lipo -create -output "$out" "$tmp/idpulse-arm64" "$tmp/idpulse-amd64"
lipo -verify_arch "$out" arm64 x86_64 || die "$out lacks an architecture: $(lipo -archs "$out")"
log "$out: $(lipo -archs "$out"), version $version"
