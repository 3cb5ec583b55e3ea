#!/bin/sh
# Microsoft Intune custom attribute for macOS (a shell script whose one line
# of output is the value): the idpulse agent's last verdict, e.g. "OK: ok —
# Apple ID connectivity is healthy (checked 14:02)", or "not running", "not
# installed", "no check yet", "state file unreadable". It reads the agent's
# state file (`idpulse status --ea`) and never runs a check.
idpulse=${IDPULSE:-/usr/local/bin/idpulse}
[ -x "$idpulse" ] || { echo "not installed"; exit 0; }
# Intune runs this as root; the agent and its state belong to the console user.
if [ "$(uname -s)" = Darwin ] && [ "$(id -u)" = 0 ]; then
	user=$(/usr/bin/stat -f %Su /dev/console)
	case "$user" in "" | root | loginwindow | _mbsetupuser) echo "no user at the console"; exit 0 ;; esac
	line=$(/bin/launchctl asuser "$(id -u "$user")" /usr/bin/sudo -u "$user" -H "$idpulse" status --ea)
else
	line=$("$idpulse" status --ea)
fi
line=${line#<result>}
echo "${line%</result>}"
