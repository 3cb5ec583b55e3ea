#!/usr/bin/env bash
# Builds dist/idpulse-<version>.pkg: installs idpulse.app into /Applications;
# its postinstall links /usr/local/bin/idpulse and starts the LaunchAgent for
# the user at the console.
#
#   build-pkg.sh [APP]       default dist/idpulse.app (make app)
#
# IDPULSE_INSTALLER_IDENTITY ("Developer ID Installer: Name (TEAMID)") signs
# the product archive; sign-notarize.sh pkg notarizes it.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_macos "pkgbuild and productbuild"

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$(repo_root)"
app=${1:-dist/$APP_NAME.app}
[[ -d "$app" ]] || die "$app not found: run 'make app' first"
version=$(describe)
short=$(short_version "$version")
out=${OUT:-dist/$APP_NAME-$version.pkg}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp/root/Applications" "$tmp/scripts"
ditto "$app" "$tmp/root/Applications/$APP_NAME.app"
cp "$here/postinstall" "$tmp/scripts/postinstall"
chmod 755 "$tmp/scripts/postinstall"

# Installed where we say: a relocatable bundle would be "upgraded" wherever
# a copy of idpulse.app happens to be on disk.
pkgbuild --analyze --root "$tmp/root" "$tmp/component.plist"
n=$(plutil -extract @count raw -o - "$tmp/component.plist" 2>/dev/null || echo 1)
for ((i = 0; i < n; i++)); do
	plutil -replace "$i.BundleIsRelocatable" -bool NO "$tmp/component.plist"
done

pkgbuild --root "$tmp/root" --component-plist "$tmp/component.plist" \
	--scripts "$tmp/scripts" --identifier "$PKG_ID" --version "$short" \
	--install-location / "$tmp/$APP_NAME.pkg"

cat >"$tmp/distribution.xml" <<XML
<?xml version="1.0" encoding="utf-8"?>
<installer-gui-script minSpecVersion="2">
    <title>idpulse $(xml_escape "$short")</title>
    <options customize="never" require-scripts="false" hostArchitectures="arm64,x86_64"/>
    <domains enable_anywhere="false" enable_currentUserHome="false" enable_localSystem="true"/>
    <volume-check>
        <allowed-os-versions><os-version min="$MIN_MACOS"/></allowed-os-versions>
    </volume-check>
    <choices-outline><line choice="default"><line choice="$PKG_ID"/></line></choices-outline>
    <choice id="default"/>
    <choice id="$PKG_ID" visible="false"><pkg-ref id="$PKG_ID"/></choice>
    <pkg-ref id="$PKG_ID" version="$(xml_escape "$short")" onConclusion="none">$APP_NAME.pkg</pkg-ref>
</installer-gui-script>
XML

sign=()
if [[ -n "${IDPULSE_INSTALLER_IDENTITY:-}" ]]; then
	sign=(--sign "$IDPULSE_INSTALLER_IDENTITY" --timestamp)
	[[ -n "${IDPULSE_KEYCHAIN:-}" ]] && sign+=(--keychain "$IDPULSE_KEYCHAIN")
fi
mkdir -p "$(dirname "$out")"
productbuild --distribution "$tmp/distribution.xml" --package-path "$tmp" ${sign[@]+"${sign[@]}"} "$out"
log "$out ($PKG_ID $short)"
