#!/bin/sh
# System packages for the real Secret Service tests (tests/test_keys_secret_service.py).
# tests/keyring_service.py starts its own private dbus-daemon and gnome-keyring-daemon per test
# process, so nothing else is needed: no dbus-run-session wrapper, no X, no dbus-x11.
#   gnome-keyring : gnome-keyring-daemon, the Secret Service implementation
#   dbus          : dbus-daemon (its own package `dbus-daemon` on Debian 12+, pulled in by `dbus`;
#                   naming `dbus` also works on Ubuntu 22.04, where no such split exists)
# Python side (jeepney, SecretStorage) comes with `keyring` on Linux via pip.
# With CI=true a missing Secret Service FAILS those tests instead of skipping them.
set -eu
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends gnome-keyring dbus
