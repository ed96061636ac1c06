#!/usr/bin/env bash
# Builds the MSI from release/kense.wxs: build-msi.sh WORKDIR VERSION MKWIN
# WORKDIR holds kense.exe, kensectl.exe (already signed when signing),
# kense.ico and THIRD_PARTY_NOTICES.txt (release/notices); writes
# WORKDIR/kense.msi (unsigned). VERSION is MAJOR.MINOR.PATCH.
# Used by release.mk and by wine-msi-test.sh (which builds a higher version
# to try an upgrade).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=${1:?usage: build-msi.sh WORKDIR VERSION MKWIN}
version=${2:?version}
mkwin=$(realpath "${3:?mkwin}")
upgrade=$(sed -n 's/.*UpgradeCode="\([^"]*\)".*/\1/p' "$here/kense.wxs")
product=$("$mkwin" guid -ns "$upgrade" -name "ProductCode $version")
cp "$here/kense.wxs" "$work/"
cd "$work"
rm -f kense.msi
# The cabinet stores file times: make them the commit's.
touch -d "@${SOURCE_DATE_EPOCH:-0}" kense.exe kensectl.exe kense.ico THIRD_PARTY_NOTICES.txt
# wixl takes relative paths only.
wixl -a x64 -D Version="$version" -D ProductCode="$product" -D Dist=. -D Icon=kense.ico -o kense.msi kense.wxs
# What wixl 0.101 cannot write (see msi-fixups.sql).
grep -v -e '^--' -e '^$' "$here/msi-fixups.sql" | while IFS= read -r q; do
	msibuild kense.msi -q "$q" || { echo "build-msi.sh: msibuild failed: $q" >&2; exit 1; }
done
