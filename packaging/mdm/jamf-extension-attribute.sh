#!/bin/sh
# Jamf Pro extension attribute (Data Type: String, Input Type: Script): the
# idpulse agent's last verdict, e.g. "DOWN: dns_filtered — This network's DNS
# blocks Apple's servers (checked 14:02)", or "not running", "not installed",
# "no check yet", "state file unreadable", "no user at the console". It reads
# the agent's state file (`idpulse status --ea`) and never runs a check:
# inventory runs it on every Mac, every time.
idpulse=${IDPULSE:-/usr/local/bin/idpulse}
[ -x "$idpulse" ] || { echo "<result>not installed</result>"; exit 0; }
# Jamf runs this as root; the agent and its state belong to the console user.
if [ "$(uname -s)" = Darwin ] && [ "$(id -u)" = 0 ]; then
	user=$(/usr/bin/stat -f %Su /dev/console)
	case "$user" in "" | root | loginwindow | _mbsetupuser) echo "<result>no user at the console</result>"; exit 0 ;; esac
	exec /bin/launchctl asuser "$(id -u "$user")" /usr/bin/sudo -u "$user" -H "$idpulse" status --ea
fi
exec "$idpulse" status --ea
