#!/bin/sh
# Kandji Custom Script (audit): exit 0 when the idpulse agent's last verdict
# is ok, 1 degraded, 2 down; 1 too when it cannot tell (agent not installed
# or not running, no check yet). The line printed is recorded with the
# result. It reads the agent's state file (`idpulse status --ea`) and never
# runs a check, so it is cheap at every check-in.
idpulse=${IDPULSE:-/usr/local/bin/idpulse}
if [ ! -x "$idpulse" ]; then
	line="<result>not installed</result>"
elif [ "$(uname -s)" = Darwin ] && [ "$(id -u)" = 0 ]; then
	# Kandji runs this as root; the agent and its state belong to the console user.
	user=$(/usr/bin/stat -f %Su /dev/console)
	case "$user" in
	"" | root | loginwindow | _mbsetupuser) line="<result>no user at the console</result>" ;;
	*) line=$(/bin/launchctl asuser "$(id -u "$user")" /usr/bin/sudo -u "$user" -H "$idpulse" status --ea) ;;
	esac
else
	line=$("$idpulse" status --ea)
fi
line=${line#<result>}
line=${line%</result>}
echo "idpulse: $line"
case "$line" in
OK:*) exit 0 ;;
DOWN:*) exit 2 ;;
*) exit 1 ;;
esac
