#!/bin/sh
# meson install script: creates the "simbudget" system user after a direct
# install onto this system, so that simbudget.service can start. Staged
# (DESTDIR) and unprivileged installs leave it to the package or the admin.
# $1: the installed sysusers.d file.
set -u

[ -z "${DESTDIR-}" ] || exit 0
[ "$(id -u)" -eq 0 ] || exit 0
# only an install where the system looks (not a test prefix under /tmp)
case "${MESON_INSTALL_PREFIX-/usr}" in
    /usr|/usr/local) ;;
    *) exit 0 ;;
esac
command -v systemd-sysusers >/dev/null 2>&1 || exit 0

systemd-sysusers "$1" ||
    echo "warning: could not create the simbudget user; run: systemd-sysusers $1" >&2
exit 0
