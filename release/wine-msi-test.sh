#!/usr/bin/env bash
# Installs, upgrades and uninstalls the MSI with Wine's msiexec in a fresh,
# throwaway Wine prefix, and checks files, shortcut, registry and user data
# after each step:  wine-msi-test.sh RB MSI
# RB is release.mk's build dir (build/release: unsigned exes, icon, mkwin).
# Wine's Windows Installer is a re-implementation, so this is evidence about
# the MSI's tables and sequences, not proof of Windows' behaviour.
set -uo pipefail
rb=$(realpath "${1:?usage: wine-msi-test.sh RB MSI}")
msi1=$(realpath "${2:?msi}")
here=$(cd "$(dirname "$0")" && pwd)
export PATH=$PATH:/usr/lib/wine WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
command -v wine64 >/dev/null || { echo "wine64 is not installed"; exit 2; }
tmp=$(mktemp -d)
trap 'wineserver64 -k >/dev/null 2>&1; rm -rf "$tmp"' EXIT
export WINEPREFIX=$tmp/prefix
fails=0
ok() { printf 'ok    %s\n' "$1"; }
bad() { printf 'FAIL  %s\n' "$1"; fails=$((fails + 1)); }
expect() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

wine64 wineboot -i >/dev/null 2>&1
U=$WINEPREFIX/drive_c/users/$(id -un)
inst=$U/AppData/Local/Programs/Kense
lnk="$U/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Kense.lnk"
drafts=$U/AppData/Roaming/Kense
prefs=$U/AppData/Roaming/fyne/kz.kense.app
logs=$U/AppData/Local/Kense/logs
winpath() { echo "Z:${1//\//\\}"; }
msiexec() { wine64 msiexec "$@" /qn >/dev/null 2>&1; }
regval() { # regval NAME → the value data of HKCU\Software\Kense NAME, or ""
	wine64 reg query 'HKCU\Software\Kense' /v "$1" 2>/dev/null | tr -d '\r' | awk -v n="$1" '$1 == n { $1 = ""; $2 = ""; sub(/^  */, ""); print }'
}
installed_version() {
	wine64 reg query 'HKCU\Software\Kense\Installed' /v kense.exe 2>/dev/null | tr -d '\r' | awk '$1 == "kense.exe" { print $3 }'
}

# Two more versions from the same exes, for the upgrades.
v1=$(msiinfo export "$msi1" Property | tr -d '\r' | awk -F'\t' '$1 == "ProductVersion" { print $2 }')
IFS=. read -r ma mi pa <<<"$v1"
v2=$ma.$mi.$((pa + 1))
v3=$ma.$mi.$((pa + 2))
for v in "$v2" "$v3"; do
	mkdir -p "$tmp/$v"
	cp "$rb/unsigned/kense.exe" "$rb/unsigned/kensectl.exe" "$rb/kense.ico" "$rb/THIRD_PARTY_NOTICES.txt" "$tmp/$v/"
	"$here/build-msi.sh" "$tmp/$v" "$v" "$rb/mkwin" || { echo "cannot build MSI $v"; exit 1; }
done
msi2=$tmp/$v2/kense.msi
msi3=$tmp/$v3/kense.msi

echo "== install $v1 with SERVER_URL and IDLE_LOCK_MINUTES"
msiexec /i "$(winpath "$msi1")" SERVER_URL=https://a.example.kz IDLE_LOCK_MINUTES=10
expect "exes in %LocalAppData%\\Programs\\Kense" '[ -f "$inst/kense.exe" ] && [ -f "$inst/kensectl.exe" ]'
expect "THIRD_PARTY_NOTICES.txt next to them" '[ -f "$inst/THIRD_PARTY_NOTICES.txt" ]'
expect "Start-menu shortcut" '[ -f "$lnk" ]'
expect "HKCU ServerURL = https://a.example.kz" '[ "$(regval ServerURL)" = https://a.example.kz ]'
expect "HKCU IdleLockMinutes = 10" '[ "$(regval IdleLockMinutes)" = 10 ]'
expect "installed version $v1" '[ "$(installed_version)" = "$v1" ]'

# What the app would have made meanwhile.
mkdir -p "$drafts" "$prefs" "$logs"
echo db >"$drafts/kense.db"
echo '{}' >"$prefs/preferences.json"
echo '{}' >"$logs/Kense.log"

echo "== upgrade to $v2 without properties"
msiexec /i "$(winpath "$msi2")"
expect "installed version $v2 (in place)" '[ "$(installed_version)" = "$v2" ]'
expect "ServerURL remembered" '[ "$(regval ServerURL)" = https://a.example.kz ]'
expect "IdleLockMinutes remembered" '[ "$(regval IdleLockMinutes)" = 10 ]'
expect "drafts kept" '[ -f "$drafts/kense.db" ] && [ -f "$prefs/preferences.json" ]'
expect "exes and shortcut still there" '[ -f "$inst/kense.exe" ] && [ -f "$lnk" ]'

echo "== upgrade to $v3 with a new SERVER_URL"
msiexec /i "$(winpath "$msi3")" SERVER_URL=https://b.example.kz
expect "installed version $v3" '[ "$(installed_version)" = "$v3" ]'
expect "command line wins: ServerURL = https://b.example.kz" '[ "$(regval ServerURL)" = https://b.example.kz ]'
expect "IdleLockMinutes still 10" '[ "$(regval IdleLockMinutes)" = 10 ]'

echo "== uninstall"
msiexec /x "$(winpath "$msi3")"
expect "exes and notices removed" '[ ! -e "$inst/kense.exe" ] && [ ! -e "$inst/kensectl.exe" ] && [ ! -e "$inst/THIRD_PARTY_NOTICES.txt" ]'
expect "install folder removed" '[ ! -d "$inst" ]'
expect "shortcut removed" '[ ! -e "$lnk" ]'
expect "registry values removed" '[ -z "$(regval ServerURL)" ] && [ -z "$(regval IdleLockMinutes)" ] && [ -z "$(installed_version)" ]'
expect "logs removed" '[ ! -e "$logs/Kense.log" ]'
expect "drafts kept" '[ -f "$drafts/kense.db" ] && [ -f "$prefs/preferences.json" ]'

echo "== install $v3 without properties, uninstall with REMOVEUSERDATA=1"
msiexec /i "$(winpath "$msi3")"
expect "no ServerURL written when not given" '[ -z "$(regval ServerURL)" ] && [ -f "$inst/kense.exe" ]'
msiexec /x "$(winpath "$msi3")" REMOVEUSERDATA=1
expect "drafts removed" '[ ! -e "$drafts/kense.db" ]'
expect "Fyne preferences removed" '[ ! -e "$prefs/preferences.json" ]'
expect "exes removed" '[ ! -e "$inst/kense.exe" ]'

if [ "$fails" -gt 0 ]; then echo "$fails check(s) FAILED"; exit 1; fi
echo "wine-msi-test: all checks passed"
