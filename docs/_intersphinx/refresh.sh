#!/usr/bin/env bash
# Refresh the intersphinx inventories in this folder from Debian's
# documentation packages (see README.md here). Needs apt-get and access to
# Debian's archive; changes nothing in the system's apt configuration: the
# package lists and downloads live in a temporary folder.
#
#   bash docs/_intersphinx/refresh.sh [suite]     # suite: sid (default), trixie, ...
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
suite="${1:-sid}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"  # apt downloads as the _apt user where it can
mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $suite main" \
    >"$tmp/sources.list"
apt=(-o "Dir::Etc::sourcelist=$tmp/sources.list" -o Dir::Etc::sourceparts=/nonexistent
     -o "Dir::State::Lists=$tmp/lists" -o "Dir::Cache=$tmp/cache")
apt-get "${apt[@]}" update -qq

# python3-doc depends on the documentation of the suite's default Python.
python_doc="$(apt-cache "${apt[@]}" depends python3-doc | awk '/Depends: python3\.[0-9]+-doc/ {print $2; exit}')"

# inventory file here -> Debian package
declare -A packages=(
    [python.inv]="$python_doc"
    [numpy.inv]=python-numpy-doc
    [scipy.inv]=python-scipy-doc
    [sklearn.inv]=python-sklearn-doc
    [pandas.inv]=python-pandas-doc
)
cd "$tmp"
for name in "${!packages[@]}"; do
    package="${packages[$name]}"
    apt-get "${apt[@]}" download -qq "$package" 2>/dev/null
    mkdir "x-$package"
    dpkg-deb -x "$package"_*.deb "x-$package"
    inventory="$(find "x-$package/usr/share/doc" -path '*/html/objects.inv' | head -n 1)"
    if [ -z "$inventory" ]; then
        echo "no html/objects.inv in $package" >&2
        exit 1
    fi
    cp "$inventory" "$here/$name"
    version="$(dpkg-deb -f "$package"_*.deb Version)"
    echo "$name <- $package $version ($(sed -n 's/^# Project: //p' "$here/$name" | head -n 1) $(sed -n 's/^# Version: //p' "$here/$name" | head -n 1))"
done
