#!/usr/bin/env bash
# Assembles dist/idpulse.app: the menu bar agent as a macOS app bundle
# (LSUIElement: no Dock icon), with its Info.plist, icon and uninstaller.
#
#   build-app.sh [BINARY]     default dist/idpulse (built universal if missing)
#
# The bundle is signed ad hoc so that it runs on this Mac; sign-notarize.sh
# signs it for distribution.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_macos "codesign, plutil and iconutil"

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(repo_root)
cd "$root"
bin=${1:-dist/idpulse}
app=${APP:-dist/$APP_NAME.app}
if [[ ! -x "$bin" ]]; then
	[[ $# -eq 0 ]] || die "$bin: no such executable"
	"$here/build-universal.sh" "$bin"
fi

log "assembling $app"
rm -rf "$app"
mkdir -p "$app/Contents/MacOS" "$app/Contents/Resources"
cp "$bin" "$app/Contents/MacOS/$APP_NAME"
chmod 755 "$app/Contents/MacOS/$APP_NAME"
"$here/render-info-plist.sh" "$(describe)" "$(build_number)" >"$app/Contents/Info.plist"
plutil -lint "$app/Contents/Info.plist" >/dev/null
printf 'APPL????' >"$app/Contents/PkgInfo"
"$here/make-icns.sh" "$app/Contents/Resources/$APP_NAME.icns"
cp "$here/uninstall.sh" "$app/Contents/Resources/uninstall.sh"
chmod 755 "$app/Contents/Resources/uninstall.sh"

codesign --force --sign - "$app"
codesign --verify --strict "$app"
log "$app ($(defaults read "$PWD/$app/Contents/Info" CFBundleShortVersionString) build $(defaults read "$PWD/$app/Contents/Info" CFBundleVersion))"
