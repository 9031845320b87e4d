#!/usr/bin/env bash
# Install what lies beyond Python: Debian's Chromium (+driver) and CJK/emoji fonts for browser tests and
# docker-compose for the static compose check. Installs where it can; otherwise says exactly
# what is missing and how to get it, and fails.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
# grep reads all of fc-list: with -q it would stop early and pipefail would see SIGPIPE as "no font"
command -v fc-list >/dev/null 2>&1 && fc-list | grep -i "noto.*cjk" >/dev/null || need+=(fonts-noto-cjk)
# posts' titles carry emoji: without a colour emoji font the report and dashboards draw boxes
command -v fc-list >/dev/null 2>&1 && fc-list | grep -i "noto color emoji" >/dev/null || need+=(fonts-noto-color-emoji)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: installing ${need[*]} from Debian" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  exit 0
fi
echo "system-deps: missing ${need[*]}." >&2
echo "  Install them with: sudo apt-get install -y ${need[*]}" >&2
echo "  (Chromium is used by the browser tests and the report test; docker-compose only to validate docker-compose.yml.)" >&2
exit 1
