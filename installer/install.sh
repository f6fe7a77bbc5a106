#!/bin/sh
# Rolecall for one user on Linux or macOS: no root, no Python needed.
#
#   ./install.sh [--bundle DIR] [--autostart] [--browser NAME ...]   install
#   ./install.sh --uninstall                                          remove it again
#
# Install copies the host bundle (the `rolecall/` folder beside this script, or
# dist/rolecall in a source tree) to ~/.local/lib/rolecall (Linux) or
# ~/Applications/Rolecall (macOS), links ~/.local/bin/rolecall to it, and runs the
# bundle's own `rolecall install`, which registers the host with every browser found
# (Chrome, Chromium, Edge, Brave, Vivaldi, Firefox) from the one install table in
# host/rolecall/install/table.py; --browser names one instead (repeatable).
# --autostart also starts the daemon at login (`rolecall autostart enable`).
#
# Uninstall undoes each step in reverse: autostart, the daemon, every manifest
# (`rolecall uninstall`), the link, the bundle, and the directories left empty. Your
# Rolecall data (settings, call log) stays in the Rolecall home; remove it by hand.
set -eu

case "$(uname -s)" in
  Darwin) app_dir="$HOME/Applications/Rolecall" ;;
  *) app_dir="$HOME/.local/lib/rolecall" ;;
esac
bin_dir="$HOME/.local/bin"
here=$(cd "$(dirname "$0")" && pwd)

bundle=""
autostart=0
uninstall=0
browsers=""
while [ $# -gt 0 ]; do
  case "$1" in
    --bundle) bundle="$2"; shift 2 ;;
    --autostart) autostart=1; shift ;;
    --uninstall) uninstall=1; shift ;;
    --browser) browsers="$browsers --browser $2"; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

remove_empty() {
  for dir in "$@"; do
    rmdir "$dir" 2>/dev/null || true
  done
}

if [ "$uninstall" = 1 ]; then
  if [ -x "$app_dir/rolecall" ]; then
    "$app_dir/rolecall" autostart disable >/dev/null 2>&1 || true
    pid=$("$app_dir/rolecall" status --json 2>/dev/null | sed -n 's/^ *"pid": *\([0-9][0-9]*\).*/\1/p')
    if [ -n "$pid" ] && "$app_dir/rolecall" stop >/dev/null 2>&1; then
      tries=0  # wait (up to 10 s) until the daemon has exited
      while [ $tries -lt 50 ] && kill -0 "$pid" 2>/dev/null; do
        sleep 0.2
        tries=$((tries + 1))
      done
    fi
    "$app_dir/rolecall" uninstall
  else
    echo "no Rolecall bundle in $app_dir"
  fi
  if [ -L "$bin_dir/rolecall" ] && [ "$(readlink "$bin_dir/rolecall")" = "$app_dir/rolecall" ]; then
    rm "$bin_dir/rolecall"
    echo "removed $bin_dir/rolecall"
  fi
  if [ -d "$app_dir" ]; then
    rm -rf "$app_dir"
    echo "removed $app_dir"
  fi
  remove_empty "$bin_dir" "$(dirname "$app_dir")" "$HOME/.local"
  exit 0
fi

if [ -z "$bundle" ]; then
  if [ -x "$here/rolecall/rolecall" ]; then bundle="$here/rolecall"; else bundle="$here/../dist/rolecall"; fi
fi
if [ ! -x "$bundle/rolecall" ]; then
  echo "install.sh: no Rolecall bundle in $bundle (build one with \`make dist\`)" >&2
  exit 1
fi
bundle=$(cd "$bundle" && pwd)

mkdir -p "$(dirname "$app_dir")" "$bin_dir"
if [ "$bundle" != "$app_dir" ]; then
  rm -rf "$app_dir.new"
  cp -R "$bundle" "$app_dir.new"
  rm -rf "$app_dir"
  mv "$app_dir.new" "$app_dir"
  echo "copied the host to $app_dir"
fi
ln -sfn "$app_dir/rolecall" "$bin_dir/rolecall"
echo "linked $bin_dir/rolecall"

# shellcheck disable=SC2086  # $browsers is a list of options
"$app_dir/rolecall" install $browsers
if [ "$autostart" = 1 ]; then
  "$app_dir/rolecall" autostart enable
fi
echo "done: restart your browser, add the Rolecall extension, then run \`rolecall doctor\`"
