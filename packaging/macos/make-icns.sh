#!/usr/bin/env bash
# Builds idpulse.icns from the icons drawn in code (agent/icon), through an
# .iconset rendered by `go run ./packaging/cmd/icons` and Apple's iconutil.
#
#   make-icns.sh OUT.icns
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_macos iconutil

[[ $# -eq 1 ]] || die "usage: make-icns.sh OUT.icns"
out=$1
case $out in /*) ;; *) out="$PWD/$out" ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

(cd "$(repo_root)" && "${GO:-go}" run ./packaging/cmd/icons -iconset "$tmp/idpulse.iconset")
mkdir -p "$(dirname "$out")"
iconutil --convert icns --output "$out" "$tmp/idpulse.iconset"
log "$out"
