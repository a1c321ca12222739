#!/bin/sh
# Installs the Debian packages the build and the tests need, only when one
# is missing. Called by `make deps`, `make demo` and `make check`.
set -u
pkgs="gcc make pkg-config libpcap-dev libncurses-dev libsqlite3-dev libssl-dev
      sqlite3 tcpdump tmux mandoc iproute2 ethtool clang procps time jq
      binutils groff-base man-db libclang-rt-dev zlib1g-dev
      libzstd-dev liblzma-dev gzip zstd xz-utils zsh bash-completion
      libxml2-utils librsvg2-bin nodejs"
missing=""
for p in $pkgs; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
	case "$st" in *"install ok installed"*) ;; *) missing="$missing $p" ;; esac
done
# npm (tests/t_parquet.sh installs DuckDB's Node package with it): a
# nodejs that bundles npm (NodeSource's) conflicts with Debian's npm.
command -v npm >/dev/null 2>&1 || missing="$missing npm"
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
if [ "$(id -u)" != 0 ]; then
	SUDO=sudo
else
	SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
# Another apt-get or dpkg (an unattended upgrade on a new machine) may hold
# the lock: apt waits up to 5 minutes for it, and a failed step is tried
# again, 3 times in all, 10 s apart (a mirror that hiccups).
apt_get() {
	for try in 1 2 3; do
		# shellcheck disable=SC2086
		$SUDO apt-get -o DPkg::Lock::Timeout=300 "$@" >/dev/null && return 0
		[ $try = 3 ] || { echo "deps: apt-get $1 failed, trying again" >&2; sleep 10; }
	done
	return 1
}
apt_get update -qq || { echo "deps: apt-get update failed" >&2; exit 1; }
# shellcheck disable=SC2086
apt_get install -y -qq --no-install-recommends $missing ||
	{ echo "deps: apt-get install$missing failed" >&2; exit 1; }
