# Debian packages each quick-start command needs; installed when missing.
# shellcheck shell=bash

SB_DEPS_BUILD=(meson ninja-build gcc pkg-config gettext libglib2.0-dev libglib2.0-bin
  libmm-glib-dev libnm-dev libsqlite3-dev libpolkit-gobject-1-dev libpolkit-agent-1-dev
  libnftables-dev)
SB_DEPS_TEST=(dbus python3-dbusmock python3-gi gir1.2-glib-2.0 gir1.2-modemmanager-1.0
  gir1.2-nm-1.0 iproute2 libxml2-utils shellcheck desktop-file-utils polkitd groff-base
  bash-completion systemd valgrind clang libclang-rt-14-dev modemmanager network-manager ppp
  util-linux nftables tzdata vnstat faketime strace)
SB_DEPS_DEMO=(dbus python3-dbusmock python3-gi tzdata)

sb_install_deps() {
  local want=() missing=() p
  for set in "$@"; do
    case $set in
      build) want+=("${SB_DEPS_BUILD[@]}") ;;
      test) want+=("${SB_DEPS_TEST[@]}") ;;
      demo) want+=("${SB_DEPS_DEMO[@]}") ;;
    esac
  done
  for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing: ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  "${sudo[@]}" apt-get update -q >/dev/null
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}
