#!/usr/bin/env bash
# Signs, notarizes and staples an idpulse artifact.
#
#   sign-notarize.sh app dist/idpulse.app
#   sign-notarize.sh pkg dist/idpulse-<version>.pkg
#   sign-notarize.sh dmg dist/idpulse-<version>.dmg
#
# Environment:
#   IDPULSE_SIGN_IDENTITY       codesign identity for app and dmg,
#                               "Developer ID Application: Name (TEAMID)"
#   IDPULSE_INSTALLER_IDENTITY  productsign identity for pkg,
#                               "Developer ID Installer: Name (TEAMID)"
#   IDPULSE_TEAM_ID             the Apple team id; the signature must carry it
#   IDPULSE_NOTARY_PROFILE      notarytool keychain profile, made once with
#                               xcrun notarytool store-credentials PROFILE \
#                                   --apple-id ID --team-id TEAMID --password APP-SPECIFIC-PASSWORD
#                               (or --key/--key-id/--issuer for an API key)
#   IDPULSE_KEYCHAIN            optional keychain holding the identities and the profile
#   IDPULSE_SKIP_NOTARIZE=1     sign only
#
# The app is signed with the hardened runtime and a secure timestamp (both
# required for notarization), submitted as a zip, and the ticket stapled to
# the bundle; a pkg or dmg is submitted and stapled as is.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_macos "codesign, notarytool and stapler"

[[ $# -eq 2 ]] || die "usage: sign-notarize.sh app|pkg|dmg PATH"
kind=$1
path=$2
[[ -e "$path" ]] || die "$path: not found"
: "${IDPULSE_TEAM_ID:?set IDPULSE_TEAM_ID to the Apple team id}"
kc=()
[[ -n "${IDPULSE_KEYCHAIN:-}" ]] && kc=(--keychain "$IDPULSE_KEYCHAIN")

need() { [[ -n "${!1:-}" ]] || die "set $1 ($2)"; }

check_team() { # the signature's TeamIdentifier must be ours
	local team
	team=$(codesign -dv "$1" 2>&1 | sed -n 's/^TeamIdentifier=//p')
	[[ "$team" == "$IDPULSE_TEAM_ID" ]] || die "$1 is signed for team '$team', not $IDPULSE_TEAM_ID"
}

notarize() { # notarize FILE: submit, wait, fail with Apple's log unless Accepted
	local file=$1 out id status
	if [[ "${IDPULSE_SKIP_NOTARIZE:-}" == 1 ]]; then
		log "IDPULSE_SKIP_NOTARIZE=1: not notarizing $file"
		return 1
	fi
	need IDPULSE_NOTARY_PROFILE "a notarytool keychain profile"
	log "notarizing $file (this takes minutes)"
	out=$(xcrun notarytool submit "$file" --keychain-profile "$IDPULSE_NOTARY_PROFILE" \
		${kc[@]+"${kc[@]}"} --wait --output-format json) || true
	id=$(printf '%s' "$out" | sed -n 's/.*"id" *: *"\([^"]*\)".*/\1/p' | head -n 1)
	status=$(printf '%s' "$out" | sed -n 's/.*"status" *: *"\([^"]*\)".*/\1/p' | head -n 1)
	if [[ "$status" != Accepted ]]; then
		if [[ -n "$id" ]]; then
			xcrun notarytool log "$id" --keychain-profile "$IDPULSE_NOTARY_PROFILE" ${kc[@]+"${kc[@]}"} >&2 || true
		fi
		die "notarization of $file: status '${status:-none}' (submission ${id:-unknown}): $out"
	fi
	log "notarized: submission $id"
}

staple() {
	xcrun stapler staple "$1"
	xcrun stapler validate "$1"
}

case $kind in
app)
	need IDPULSE_SIGN_IDENTITY "a Developer ID Application identity"
	log "signing $path"
	# Inside out: the executable, then the bundle (no --deep: it hides
	# mistakes and is deprecated for signing).
	codesign --force --options runtime --timestamp --sign "$IDPULSE_SIGN_IDENTITY" ${kc[@]+"${kc[@]}"} \
		"$path/Contents/MacOS/$APP_NAME"
	codesign --force --options runtime --timestamp --sign "$IDPULSE_SIGN_IDENTITY" ${kc[@]+"${kc[@]}"} "$path"
	codesign --verify --strict --deep --verbose=2 "$path"
	check_team "$path"
	zip="$(mktemp -d)/$APP_NAME.zip"
	ditto -c -k --keepParent "$path" "$zip"
	if notarize "$zip"; then
		staple "$path"
		spctl --assess --type execute --verbose=2 "$path"
	fi
	;;
pkg)
	need IDPULSE_INSTALLER_IDENTITY "a Developer ID Installer identity"
	if ! pkgutil --check-signature "$path" | grep -q "Developer ID Installer"; then
		log "signing $path"
		productsign --sign "$IDPULSE_INSTALLER_IDENTITY" --timestamp ${kc[@]+"${kc[@]}"} "$path" "$path.signed"
		mv "$path.signed" "$path"
	fi
	pkgutil --check-signature "$path" | grep -q "($IDPULSE_TEAM_ID)" || die "$path is not signed by team $IDPULSE_TEAM_ID"
	if notarize "$path"; then
		staple "$path"
		spctl --assess --type install --verbose=2 "$path"
	fi
	;;
dmg)
	need IDPULSE_SIGN_IDENTITY "a Developer ID Application identity"
	codesign --force --timestamp --sign "$IDPULSE_SIGN_IDENTITY" ${kc[@]+"${kc[@]}"} "$path"
	check_team "$path"
	if notarize "$path"; then
		staple "$path"
	fi
	;;
*)
	die "usage: sign-notarize.sh app|pkg|dmg PATH"
	;;
esac
log "done: $path"
