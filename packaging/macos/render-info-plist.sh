#!/usr/bin/env bash
# Renders idpulse.app's Info.plist on stdout from Info.plist.in.
#
#   render-info-plist.sh [VERSION [BUILD]]
#
# VERSION is a git describe (default: this checkout's, or $VERSION); the
# short version (CFBundleShortVersionString) is derived from it. BUILD is
# CFBundleVersion (default: the commit count, or $BUILD_NUMBER). Portable:
# the Linux tests run it and parse the result.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

version=${1:-$(describe)}
build=${2:-$(build_number)}
[[ "$build" =~ ^[0-9]+(\.[0-9]+){0,2}$ ]] || die "build number '$build': want 1 to 3 dot-separated integers"
short=$(short_version "$version")
copyright="Copyright © $(date -u +%Y) The idpulse authors"

template="$(dirname "${BASH_SOURCE[0]}")/Info.plist.in"
e_id=$(xml_escape "$BUNDLE_ID")
e_short=$(xml_escape "$short")
e_build=$(xml_escape "$build")
e_version=$(xml_escape "$version")
e_min=$(xml_escape "$MIN_MACOS")
e_copyright=$(xml_escape "$copyright")
while IFS= read -r line || [[ -n "$line" ]]; do
	line=${line//@BUNDLE_ID@/$e_id}
	line=${line//@SHORT_VERSION@/$e_short}
	line=${line//@BUILD@/$e_build}
	line=${line//@VERSION@/$e_version}
	line=${line//@MIN_MACOS@/$e_min}
	line=${line//@COPYRIGHT@/$e_copyright}
	printf '%s\n' "$line"
done <"$template"
