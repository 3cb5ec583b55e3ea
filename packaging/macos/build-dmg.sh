#!/usr/bin/env bash
# Builds dist/idpulse-<version>.dmg: idpulse.app beside an /Applications
# link, for drag-and-drop installs and the Homebrew cask.
#
#   build-dmg.sh [APP]       default dist/idpulse.app (make app)
#
# With IDPULSE_SIGN_IDENTITY the image is signed; sign-notarize.sh dmg
# notarizes it.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_macos hdiutil

cd "$(repo_root)"
app=${1:-dist/$APP_NAME.app}
[[ -d "$app" ]] || die "$app not found: run 'make app' first"
version=$(describe)
out=${OUT:-dist/$APP_NAME-$version.dmg}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp/stage"
ditto "$app" "$tmp/stage/$APP_NAME.app"
ln -s /Applications "$tmp/stage/Applications"
mkdir -p "$(dirname "$out")"
rm -f "$out"
hdiutil create -volname "$APP_NAME $(short_version "$version")" -srcfolder "$tmp/stage" \
	-fs HFS+ -format UDZO -imagekey zlib-level=9 -ov "$out" >/dev/null
if [[ -n "${IDPULSE_SIGN_IDENTITY:-}" ]]; then
	kc=()
	[[ -n "${IDPULSE_KEYCHAIN:-}" ]] && kc=(--keychain "$IDPULSE_KEYCHAIN")
	codesign --force --timestamp --sign "$IDPULSE_SIGN_IDENTITY" ${kc[@]+"${kc[@]}"} "$out"
fi
hdiutil verify "$out" >/dev/null
log "$out"
