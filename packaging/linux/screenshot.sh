#!/usr/bin/env bash
# Screenshots of the Linux tray: the real agent, drawn by a real panel.
#
#   make screenshot          (or: packaging/linux/screenshot.sh, from anywhere)
#
# Writes PNGs of the whole screen (960×480 unless SCREEN=WxH):
#   bin/screenshot.png                healthy, menu open
#   bin/screenshot-fixes.png          healthy, All Fixes submenu open
#   bin/screenshot-services.png       healthy, Apple Services submenu open
#   bin/screenshot-notifications.png  healthy, Notifications submenu open
#   bin/screenshot-down.png           sign-in servers blocked, menu open
#   bin/screenshot-checks.png         blocked, Checks submenu open
#
# How: a scratch HOME and XDG directories; a private session bus
# (dbus-run-session) that listens on a socket FILE — the agent runs in a
# network namespace, and abstract unix sockets do not cross namespaces; an
# Xvfb display with xfce4-panel holding one systray plugin, which is the
# StatusNotifier host and draws the icon and the menu; the e2e package's
# fake Internet (TestScreenshotWorld, a namespace with fake Apple servers);
# and bin/idpulse run inside that namespace. xdotool clicks the icon and
# ImageMagick's `import` grabs the screen.
#
# Needs root (network namespaces) and these Debian packages, which this
# script does not install:
#   apt-get install -y --no-install-recommends \
#     xvfb x11-utils xdotool imagemagick xfce4-panel dbus-x11 fonts-dejavu-core \
#     dbus iproute2 nftables
#
# Environment: IDPULSE_BIN (default: build bin/idpulse), GO (default go),
# SCREEN (default 960x480), DISPLAY_NUM (default 99), KEEP_SCRATCH=1 keeps
# the scratch directory (logs of the agent, panel, Xvfb and fake world).
set -euo pipefail

log() { printf '==> screenshot: %s\n' "$*" >&2; }
die() { printf 'screenshot: %s\n' "$*" >&2; exit 1; }

if [[ "${1:-}" != --inside ]]; then
	cd "$(dirname "${BASH_SOURCE[0]}")/../.."
	ROOT=$PWD
	[[ $(id -u) == 0 ]] || die "needs root: the agent runs in a network namespace (ip netns)"
	missing=()
	for tool in Xvfb xdpyinfo xdotool import xfce4-panel dbus-run-session dbus-send ip nft; do
		command -v "$tool" >/dev/null || missing+=("$tool")
	done
	if ((${#missing[@]})); then
		die "missing ${missing[*]}; install: apt-get install -y --no-install-recommends xvfb x11-utils xdotool imagemagick xfce4-panel dbus-x11 fonts-dejavu-core dbus iproute2 nftables"
	fi
	GO=${GO:-go}
	mkdir -p bin
	if [[ -z "${IDPULSE_BIN:-}" ]]; then
		log "go build -o bin/idpulse ./cmd/idpulse"
		"$GO" build -trimpath -o bin/idpulse ./cmd/idpulse
		IDPULSE_BIN=bin/idpulse
	fi
	IDPULSE_BIN=$(realpath "$IDPULSE_BIN")
	# Short: the bus socket's path must fit in sun_path (108 bytes).
	S=$(mktemp -d /tmp/idpulse-shot.XXXXXX)
	if [[ "${KEEP_SCRATCH:-}" != 1 ]]; then
		trap 'rm -rf "$S"' EXIT
	fi
	log "go test -c ./cmd/idpulse/e2e (the fake world)"
	"$GO" test -c -o "$S/e2e.test" ./cmd/idpulse/e2e

	mkdir -p "$S"/{home,config,cache,state,data,run}
	chmod 700 "$S/run"
	panel="$S/config/xfce4/xfconf/xfce-perchannel-xml"
	mkdir -p "$panel"
	# One panel at the top-left, 32 px high, with only the systray plugin.
	cat >"$panel/xfce4-panel.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<channel name="xfce4-panel" version="1.0">
  <property name="configver" type="int" value="2"/>
  <property name="panels" type="array">
    <value type="int" value="1"/>
    <property name="panel-1" type="empty">
      <property name="position" type="string" value="p=6;x=0;y=0"/>
      <property name="length" type="uint" value="100"/>
      <property name="position-locked" type="bool" value="true"/>
      <property name="size" type="uint" value="32"/>
      <property name="plugin-ids" type="array">
        <value type="int" value="1"/>
      </property>
    </property>
  </property>
  <property name="plugins" type="empty">
    <property name="plugin-1" type="string" value="systray"/>
  </property>
</channel>
EOF
	# Set before dbus-run-session, so bus-activated helpers (xfconfd) write
	# into the scratch directory, never into the real HOME.
	export HOME=$S/home XDG_CONFIG_HOME=$S/config XDG_CACHE_HOME=$S/cache XDG_STATE_HOME=$S/state \
		XDG_DATA_HOME=$S/data XDG_RUNTIME_DIR=$S/run NO_AT_BRIDGE=1 S ROOT IDPULSE_BIN
	unset DBUS_SESSION_BUS_ADDRESS DISPLAY
	# The distribution's session bus: it bus-activates xfconfd from the
	# standard service folders.
	dbus-run-session -- bash "$ROOT/packaging/linux/screenshot.sh" --inside
	exit 0
fi

# --- inside dbus-run-session ---------------------------------------------
cd "$ROOT"
[[ "$DBUS_SESSION_BUS_ADDRESS" == unix:path=* ]] || die "session bus $DBUS_SESSION_BUS_ADDRESS is not a socket file"
export DISPLAY=:${DISPLAY_NUM:-99}
pids=()
cleanup() {
	local rc=$?
	[[ -n "${AGENT_PID:-}" ]] && kill -TERM "$AGENT_PID" 2>/dev/null && wait "$AGENT_PID" 2>/dev/null
	# EOF on its stdin ends the world, which then removes its namespace.
	if [[ -n "${WORLD_PID:-}" ]]; then
		[[ -n "${world_in:-}" ]] && exec {world_in}>&-
		wait "$WORLD_PID" 2>/dev/null || true
	fi
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	if ((rc)); then
		for f in agent world panel xvfb; do
			[[ -s "$S/$f.log" ]] && { echo "--- $f.log (tail)"; tail -n 30 "$S/$f.log"; } >&2
		done
	fi
	exit "$rc"
}
trap cleanup EXIT

# until SECONDS_CAP COMMAND…: poll every 0.1 s.
until_ok() {
	local cap=$1; shift
	local end=$((SECONDS + cap))
	until "$@" >/dev/null 2>&1; do
		((SECONDS < end)) || return 1
		sleep 0.1
	done
}
has_owner() {
	dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
		org.freedesktop.DBus.NameHasOwner "string:$1" | grep -q 'boolean true'
}

# Wide enough for the menu and its widest submenu (Checks) side by side;
# on a narrower screen GTK opens the submenu over its parent.
SCREEN=${SCREEN:-960x480}
log "Xvfb $DISPLAY $SCREEN"
Xvfb "$DISPLAY" -screen 0 "${SCREEN}x24" -nolisten tcp >"$S/xvfb.log" 2>&1 &
pids+=($!)
until_ok 15 xdpyinfo || die "Xvfb did not start"
log "xfce4-panel"
xfce4-panel --disable-wm-check >"$S/panel.log" 2>&1 &
pids+=($!)
until_ok 20 has_owner org.kde.StatusNotifierWatcher || die "xfce4-panel's systray did not take org.kde.StatusNotifierWatcher"

log "the fake world (TestScreenshotWorld)"
mkfifo "$S/world.in" "$S/world.out"
{ IDPULSE_SCREENSHOT_WORLD=$S "$S/e2e.test" -test.run='^TestScreenshotWorld$' -test.count=1 -test.timeout=10m -test.v \
	<"$S/world.in" 2>&1 | tee "$S/world.log" >"$S/world.out"; } &
WORLD_PID=$!
exec {world_in}>"$S/world.in" {world_out}<"$S/world.out"
# world CMD [PID]: send one command and wait for its answer; the rest of a
# "done CMD …" line is left in $ANSWER.
world() {
	local line
	[[ "$1" == ready ]] || printf '%s\n' "$*" >&"$world_in"
	while IFS= read -r -t 60 line <&"$world_out"; do
		case $line in
		"idpulse-screenshot-world: ready") [[ "$1" == ready ]] && return 0 ;;
		"idpulse-screenshot-world: done $1"*)
			ANSWER=${line#"idpulse-screenshot-world: done $1"}
			ANSWER=${ANSWER# }
			return 0
			;;
		"idpulse-screenshot-world: error"*) die "world: ${line#*: }" ;;
		esac
	done
	die "world: no answer to '$*'"
}
world ready
# shellcheck disable=SC1091
source "$S/world.env"

log "idpulse run in namespace $NS"
# env -i: only what the agent needs; ip netns exec and env both exec, so
# $! is idpulse's pid (and its tray is StatusNotifierItem-$!-1).
ip netns exec "$NS" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin NO_COLOR=1 \
	HOME="$HOME" XDG_CONFIG_HOME="$XDG_CONFIG_HOME" XDG_CACHE_HOME="$XDG_CACHE_HOME" \
	XDG_STATE_HOME="$XDG_STATE_HOME" XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR" \
	DBUS_SESSION_BUS_ADDRESS="$DBUS_SESSION_BUS_ADDRESS" \
	SSL_CERT_FILE="$SSL_CERT_FILE" SSL_CERT_DIR="$SSL_CERT_DIR" \
	"$IDPULSE_BIN" run --config "$CONFIG" >"$S/agent.log" 2>&1 &
AGENT_PID=$!
until_ok 15 has_owner "org.kde.StatusNotifierItem-$AGENT_PID-1" || die "the agent's tray did not appear"
world healthy "$AGENT_PID"
sleep 1 # let the panel draw the icon

# The icon is the panel's only item, at its left end.
open_menu() {
	xdotool mousemove 16 16 click 1
	sleep 1.5
}
close_menu() {
	xdotool key Escape Escape Escape
	sleep 0.5
}
shot() {
	import -window root "$1"
	log "wrote $1"
}
# submenu ID FILE: open the menu, walk to row ID with the keyboard (the
# world counts the Down presses from the live layout), open it, shoot.
submenu() {
	world "keys:$1" "$AGENT_PID"
	open_menu
	local i
	for ((i = 0; i < ANSWER; i++)); do xdotool key Down; done
	xdotool key Right
	sleep 1
	shot "$2"
	close_menu
}

open_menu
shot bin/screenshot.png
close_menu
submenu all-fixes bin/screenshot-fixes.png
submenu services bin/screenshot-services.png
submenu notifications bin/screenshot-notifications.png

log "fault: the sign-in servers refuse connections"
world fault "$AGENT_PID"
sleep 1
open_menu
shot bin/screenshot-down.png
close_menu
submenu checks bin/screenshot-checks.png

world clear "$AGENT_PID"
kill -TERM "$AGENT_PID"
wait "$AGENT_PID" || die "idpulse exited with status $?"
AGENT_PID=
