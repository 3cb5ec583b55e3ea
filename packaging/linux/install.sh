#!/usr/bin/env bash
# Installs idpulse on Linux (make install-linux).
#
#   install.sh BINARY                 per user: ~/.local/bin/idpulse, the
#                                     application menu entry and icon, then
#                                     `idpulse install` (a systemd user unit
#                                     enabled and started, or an XDG
#                                     autostart entry without a user manager)
#   install.sh --system BINARY        for packagers: $DESTDIR$PREFIX/bin,
#                                     lib/systemd/user/idpulse.service,
#                                     share/applications, share/icons
#                                     (PREFIX defaults to /usr/local); starts nothing
set -euo pipefail
# bash 5.2 reads '&' and '\' in a ${var//pattern/replacement} replacement.
shopt -u patsub_replacement 2>/dev/null || true

log() { printf '==> install-linux: %s\n' "$*" >&2; }
die() { printf 'install-linux: error: %s\n' "$*" >&2; exit 1; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
system=false
if [[ "${1:-}" == --system ]]; then
	system=true
	shift
fi
[[ $# -eq 1 ]] || die "usage: install.sh [--system] BINARY"
bin=$1
[[ "$(uname -s)" == Linux ]] || die "needs Linux (on macOS: make app, make pkg or make dmg)"
[[ -x "$bin" ]] || die "$bin: no such executable (run 'make build')"

# sed replacement text: escape \, & and the | delimiter.
sed_escape() { printf '%s' "$1" | sed -e 's/[\\&|]/\\&/g'; }

# desktop_exec quotes a program path for Exec= (Desktop Entry Specification).
desktop_exec() {
	case $1 in
	*[\"\`\$\\%]*) die "$1: a desktop entry cannot run a path with \", \`, \$, \\ or %" ;;
	*[[:space:]\'\>\<~\|\&\;\*\?\#\(\)]*) printf '"%s"' "$1" ;;
	*) printf '%s' "$1" ;;
	esac
}

# systemd_path writes a path for ExecStart= (spaces as \x20, as
# kardianos/service's cmdEscape does for the per-user unit).
systemd_path() {
	case $1 in
	*[%\$\\\"\']*) die "$1: a systemd unit cannot run a path with %, \$, \\ or quotes" ;;
	esac
	printf '%s' "${1// /\\x20}"
}

icon() { # icon OUT.png: the app icon drawn by agent/icon
	(cd "$root" && "${GO:-go}" run ./packaging/cmd/icons -png "$1" -size 256)
}

if $system; then
	prefix=${PREFIX:-/usr/local}
	dest=${DESTDIR:-}
	install -Dm755 "$bin" "$dest$prefix/bin/idpulse"
	exec_start=$(systemd_path "$prefix/bin/idpulse")
	sed -e "s|^ExecStart=.*|ExecStart=$(sed_escape "$exec_start") run|" "$here/idpulse.service" |
		install -Dm644 /dev/stdin "$dest$prefix/lib/systemd/user/idpulse.service"
	install -Dm644 "$here/idpulse.desktop" "$dest$prefix/share/applications/idpulse.desktop"
	mkdir -p "$dest$prefix/share/icons/hicolor/256x256/apps"
	icon "$dest$prefix/share/icons/hicolor/256x256/apps/idpulse.png"
	log "installed under $dest$prefix; users run: systemctl --user enable --now idpulse"
	exit 0
fi

if [[ "$(id -u)" -eq 0 && -n "${SUDO_USER:-}" ]]; then
	die "run 'make install-linux' without sudo: it installs for the desktop user (packagers: SYSTEM=1)"
fi
bindir=${BINDIR:-$HOME/.local/bin}
data=${XDG_DATA_HOME:-$HOME/.local/share}
install -Dm755 "$bin" "$bindir/idpulse"
# The desktop session's PATH may lack ~/.local/bin: absolute paths.
exec_word=$(desktop_exec "$bindir/idpulse")
sed -e "s|^TryExec=.*|TryExec=$(sed_escape "$bindir/idpulse")|" \
	-e "s|^Exec=idpulse |Exec=$(sed_escape "$exec_word") |" "$here/idpulse.desktop" |
	install -Dm644 /dev/stdin "$data/applications/idpulse.desktop"
mkdir -p "$data/icons/hicolor/256x256/apps"
icon "$data/icons/hicolor/256x256/apps/idpulse.png"
log "installed $bindir/idpulse and the application menu entry"
"$bindir/idpulse" install
