#!/usr/bin/env bash
# Removes idpulse from this Mac: every user's LaunchAgent (plist first, then
# bootout), the app, the /usr/local/bin link and the .pkg receipt.
#
#   sudo uninstall.sh [--purge]
#
# --purge also deletes each user's settings, state file and logs
# (~/Library/Application Support/idpulse, ~/Library/Logs/idpulse).
# Shipped as idpulse.app/Contents/Resources/uninstall.sh.
set -euo pipefail

label=io.idpulse.agent
pkg_id=io.idpulse.agent.pkg
log() { printf '==> uninstall: %s\n' "$*"; }
die() { printf 'uninstall: error: %s\n' "$*" >&2; exit 1; }

purge=false
case "${1:-}" in
"") ;;
--purge) purge=true ;;
*) die "usage: sudo uninstall.sh [--purge]" ;;
esac
[[ "$(uname -s)" == Darwin ]] || die "needs macOS (on Linux: idpulse uninstall)"
[[ "$(id -u)" -eq 0 ]] || die "run it with sudo: it removes /Applications/idpulse.app and every user's agent"

for home in /Users/*; do
	[[ -d "$home" ]] || continue
	user=${home##*/}
	uid=$(id -u "$user" 2>/dev/null) || continue
	plist="$home/Library/LaunchAgents/$label.plist"
	# The plist goes before bootout: bootout ends the agent, and a crash
	# restart must not find the plist again.
	if [[ -e "$plist" ]]; then
		rm -f "$plist"
		log "removed $plist"
	fi
	if launchctl bootout "gui/$uid/$label" 2>/dev/null; then
		log "stopped the agent of $user"
	fi
	if $purge; then
		rm -rf "$home/Library/Application Support/idpulse" "$home/Library/Logs/idpulse"
		log "purged the settings and logs of $user"
	fi
done

if [[ -L /usr/local/bin/idpulse ]] && [[ "$(readlink /usr/local/bin/idpulse)" == *idpulse.app/* ]]; then
	rm -f /usr/local/bin/idpulse
	log "removed /usr/local/bin/idpulse"
fi
if [[ -d /Applications/idpulse.app ]]; then
	rm -rf /Applications/idpulse.app
	log "removed /Applications/idpulse.app"
fi
if pkgutil --pkg-info "$pkg_id" >/dev/null 2>&1; then
	pkgutil --forget "$pkg_id" >/dev/null
	log "forgot the package receipt $pkg_id"
fi
log "done"
