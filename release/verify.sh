#!/usr/bin/env bash
# Checks a built release in $DIST (run by `make release-verify`, which sets the
# variables below): the MSI's tables and summary, the exes' PE headers,
# imports and resources, the Authenticode signatures, the checksums, the
# server tarball and the third-party notices in both. Prints one line per
# check; exits 1 if any fails.
set -uo pipefail
: "${DIST:?}" "${RB:?}" "${MSI:?}" "${SERVER_TGZ:?}" "${MSI_VERSION:?}" "${UPGRADE_CODE:?}" "${SYSTEM_DLLS:?}"
fails=0
ok() { printf 'ok    %s\n' "$1"; }
bad() { printf 'FAIL  %s\n' "$1"; fails=$((fails + 1)); }
check() { # check "what" command…
	local what=$1; shift
	if "$@" >/dev/null 2>&1; then ok "$what"; else bad "$what"; fi
}
# has TEXT PATTERN: grep -E on a variable's text.
has() { grep -Eq -- "$2" <<<"$1"; }
# tbl TABLE: an MSI table as text (msiinfo writes IDT: CRLF lines).
tbl() { msiinfo export "$msi" "$1" | tr -d '\r'; }

msi=$DIST/$MSI
notices=$DIST/THIRD_PARTY_NOTICES.txt
for f in "$DIST/kense.exe" "$DIST/kensectl.exe" "$msi" "$DIST/$SERVER_TGZ" "$notices" "$DIST/SHA256SUMS"; do
	[ -s "$f" ] || { echo "FAIL  missing $f (run make release)"; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- MSI tables (msiinfo, msitools) ---
prop=$(tbl Property)
check "MSI Property ALLUSERS=2 with MSIINSTALLPERUSER=1 (per-user)" has "$prop" $'^ALLUSERS\t2$'
check "MSI Property MSIINSTALLPERUSER=1" has "$prop" $'^MSIINSTALLPERUSER\t1$'
check "MSI ProductVersion $MSI_VERSION" has "$prop" $'^ProductVersion\t'"$MSI_VERSION"'$'
check "MSI UpgradeCode {$UPGRADE_CODE}" has "$prop" $'^UpgradeCode\t\\{'"$UPGRADE_CODE"'\}$'
check "MSI SecureCustomProperties has SERVER_URL, IDLE_LOCK_MINUTES, REMOVEUSERDATA" \
	has "$prop" $'^SecureCustomProperties\t.*SERVER_URL;IDLE_LOCK_MINUTES;REMOVEUSERDATA'
# Word Count bit 8: no elevation needed (per-user, no UAC prompt).
wc=$(msiinfo suminfo "$msi" | sed -n 's/^Source: \([0-9]*\).*/\1/p')
if [ -n "$wc" ] && (((wc & 8) != 0)); then ok "MSI summary Word Count $wc: elevation not required"; else bad "MSI summary Word Count '$wc' lacks bit 8 (elevation not required)"; fi
reg=$(tbl Registry)
check "MSI Registry HKCU\\Software\\Kense ServerURL=[SERVER_URL]" has "$reg" $'\t1\tSoftware\\\\Kense\tServerURL\t\\[SERVER_URL\\]\t'
check "MSI Registry HKCU\\Software\\Kense IdleLockMinutes=[IDLE_LOCK_MINUTES]" has "$reg" $'\t1\tSoftware\\\\Kense\tIdleLockMinutes\t\\[IDLE_LOCK_MINUTES\\]\t'
check "MSI Registry writes HKCU only (Root 1)" bash -c '! tail -n +4 <<<"$1" | cut -f2 | grep -vqx 1' _ "$reg"
comp=$(tbl Component)
check "MSI ServerURL written only when given (Condition SERVER_URL)" has "$comp" $'^ServerURLSetting\t.*\tSERVER_URL\t'
check "MSI IdleLockMinutes written only when given" has "$comp" $'^IdleLockSetting\t.*\tIDLE_LOCK_MINUTES\t'
appsearch=$(tbl AppSearch)
check "MSI AppSearch remembers SERVER_URL and IDLE_LOCK_MINUTES on upgrade" \
	bash -c 'grep -q "^SERVER_URL	" <<<"$1" && grep -q "^IDLE_LOCK_MINUTES	" <<<"$1"' _ "$appsearch"
dir=$(tbl Directory)
check "MSI INSTALLDIR = LocalAppDataFolder\\Programs\\Kense" \
	bash -c 'grep -qx "INSTALLDIR	ProgramsDir	Kense" <<<"$1" && grep -qx "ProgramsDir	LocalAppDataFolder	Programs" <<<"$1"' _ "$dir"
check "MSI no per-machine folder (ProgramFiles*, System*, Windows*, CommonAppData)" \
	bash -c '! grep -Eq "^(ProgramFiles|System|Windows|CommonAppData|CommonFiles)" <<<"$1"' _ "$dir"
sc=$(tbl Shortcut)
check "MSI Start-menu shortcut Kense → [INSTALLDIR]kense.exe" has "$sc" $'^KenseStartMenu\tProgramMenuFolder\tKense\t[^\t]*\t\\[INSTALLDIR\\]kense\\.exe\t'
file=$(tbl File)
check "MSI File table has kense.exe, kensectl.exe and THIRD_PARTY_NOTICES.txt" \
	bash -c 'grep -q "	kense.exe	" <<<"$1" && grep -q "	kensectl.exe	" <<<"$1" && grep -q "	THIRD_PARTY_NOTICES.txt	" <<<"$1"' _ "$file"
up=$(tbl Upgrade)
check "MSI MajorUpgrade rows (older → WIX_UPGRADE_DETECTED)" has "$up" 'WIX_UPGRADE_DETECTED'
seq=$(tbl InstallExecuteSequence)
check "MSI RemoveExistingProducts scheduled (upgrade in place)" has "$seq" $'^RemoveExistingProducts\t'
check "MSI user data removal only on REMOVEUSERDATA=1 uninstall, never on upgrade" \
	has "$seq" $'^SetUserDataDir\tREMOVE~="ALL" AND REMOVEUSERDATA="1" AND NOT UPGRADINGPRODUCTCODE\t'
rf=$(tbl RemoveFile)
check "MSI RemoveFile: drafts folder only through KENSEDATADIR" has "$rf" $'^RemoveDrafts\tUserData\t\\*\tKENSEDATADIR\t2$'
check "MSI RemoveFile: logs on uninstall" has "$rf" $'^RemoveLogs\tLogs\t\\*\tLogsDir\t2$'
ca=$(tbl CustomAction)
check "MSI custom actions only set properties (type 51, nothing runs)" \
	bash -c '! tail -n +4 <<<"$1" | cut -f2 | grep -vqx 51' _ "$ca"
check "MSI contains no Binary custom code" bash -c '[ -z "$(tail -n +4 <<<"$1")" ]' _ "$(tbl Binary)"

# --- Third-party notices (release/notices) ---
# listed FILE: the modules a notices file lists, "path version", sorted.
listed() { sed -n '/^=/q; s/^  \([^ ]*\) \(v[^ ,]*\).*/\1 \2/p' "$1" | sort; }
# linked EXE…: the modules the Go toolchain recorded in the binaries.
linked() { for f; do "${GO:-go}" version -m "$f"; done | awk '$1 == "dep" { print $2, $3 }' | sort -u; }
# notices_match WHAT NOTICES EXE…: the notices list exactly the linked modules,
# so release.mk's notices targets still match its go build lines.
notices_match() {
	local what=$1 n=$2 d; shift 2
	d=$(diff <(listed "$n") <(linked "$@") | grep '^[<>]')
	if [ -n "$(listed "$n")" ] && [ -z "$d" ]; then ok "$what"; else bad "$what: $(tr '\n' ' ' <<<"$d")"; fi
}
# names NOTICES: the notices name the key modules, the patched gofpdf and the fonts' OFL.
names() {
	grep -q '^fyne.io/fyne/v2 v' "$1" && grep -q '^go.etcd.io/bbolt v' "$1" &&
		grep -q '^github.com/phpdave11/gofpdf v.*, replaced by ./third_party/gofpdf (patched, see KENSE.md)$' "$1" &&
		grep -q '^Fonts in assets/fonts: NotoSans' "$1" && grep -q 'SIL OPEN FONT LICENSE Version 1.1' "$1"
}
mkdir "$tmp/msi"
msiextract -C "$tmp/msi" "$msi" >/dev/null 2>&1
inmsi=$(find "$tmp/msi" -name kense.exe -printf '%h')/THIRD_PARTY_NOTICES.txt
check "MSI installs THIRD_PARTY_NOTICES.txt next to kense.exe, the same as dist's" cmp -s "$inmsi" "$notices"
check "notices name fyne.io/fyne/v2, go.etcd.io/bbolt, the patched gofpdf and the fonts' OFL" names "$inmsi"
notices_match "notices list exactly the modules in kense.exe and kensectl.exe (go version -m)" \
	"$inmsi" "$DIST/kense.exe" "$DIST/kensectl.exe"

# --- PE files (objdump from mingw-w64 binutils) ---
allowed=" $(tr 'A-Z' 'a-z' <<<"$SYSTEM_DLLS") "
pe() { # pe FILE SUBSYSTEM-TEXT
	local f=$1 want=$2 p dlls d extra=""
	p=$(x86_64-w64-mingw32-objdump -p "$f") || { bad "$f: objdump failed"; return; }
	check "$(basename "$f"): PE32+ x86-64" has "$p" 'file format pei-x86-64'
	check "$(basename "$f"): subsystem $want" has "$p" "^Subsystem[[:space:]]+[0-9a-f]+[[:space:]]+\\($want\\)"
	dlls=$(sed -n 's/^[[:space:]]*DLL Name: \(.*\)$/\1/p' <<<"$p" | tr 'A-Z' 'a-z' | sed 's/\.dll$//' | sort -u)
	for d in $dlls; do [[ $allowed == *" $d "* ]] || extra="$extra $d"; done
	if [ -z "$extra" ]; then ok "$(basename "$f"): imports only system DLLs ($(tr '\n' ' ' <<<"$dlls"))"
	else bad "$(basename "$f"): imports non-system DLLs:$extra"; fi
	# Resource types: 3 icon, 0xe icon group (GLFW_ICON), 0x10 VERSIONINFO, 0x18 manifest.
	check "$(basename "$f"): resources icon, icon group GLFW_ICON, VERSIONINFO, manifest" \
		bash -c 'for id in 000003 00000e 000010 000018; do grep -Eq "^[0-9a-f]+   Entry: ID: 0x$id," <<<"$1" || exit 1; done; grep -q ": GLFW_ICON, Value" <<<"$1"' _ "$(grep -E '^[0-9a-f]+ +Entry: ' <<<"$p")"
	# The resources: VERSIONINFO strings are UTF-16, the manifest UTF-8.
	check "$(basename "$f"): VERSIONINFO FileVersion $VERSION_TEXT" \
		bash -c 'strings -e l "$1" | grep -qx "$2"' _ "$f" "$VERSION_TEXT"
	check "$(basename "$f"): manifest asInvoker, PerMonitorV2, Common-Controls v6" \
		bash -c 's=$(strings -n 8 "$1"); grep -q "level=\"asInvoker\"" <<<"$s" && grep -q "PerMonitorV2" <<<"$s" && grep -q "Microsoft.Windows.Common-Controls" <<<"$s"' _ "$f"
}
VERSION_TEXT=$MSI_VERSION
pe "$DIST/kense.exe" "Windows GUI"
pe "$DIST/kensectl.exe" "Windows CUI"

# --- Signatures (osslsigncode) ---
if [ -f "$DIST/UNSIGNED.txt" ]; then
	if [ "${RELEASE_UNSIGNED_OK:-}" = 1 ]; then
		echo "skip  signatures: the release is UNSIGNED (RELEASE_UNSIGNED_OK=1)"
	else
		bad "the release is UNSIGNED (dist/UNSIGNED.txt); sign it, or RELEASE_UNSIGNED_OK=1"
	fi
else
	caopt=()
	[ -n "${SIGN_CA:-}" ] && caopt=(-CAfile "$SIGN_CA")
	for f in "$DIST/kense.exe" "$DIST/kensectl.exe" "$msi"; do
		out=$(osslsigncode verify "${caopt[@]}" -in "$f" 2>&1)
		if [ $? -eq 0 ] && has "$out" 'Signature verification: ok'; then ok "$(basename "$f"): Authenticode signature verifies"
		else bad "$(basename "$f"): signature: $(grep -m1 -iE 'fail|error' <<<"$out")"; fi
	done
fi

# --- Checksums and the server tarball ---
check "SHA256SUMS match" bash -c 'cd "$1" && sha256sum --quiet -c SHA256SUMS' _ "$DIST"
t=$(tar -tzvf "$DIST/$SERVER_TGZ")
check "server tarball: kense-server (0755), example config, systemd unit" \
	bash -c 'grep -q "^-rwxr-xr-x .* kense-server/kense-server$" <<<"$1" && grep -q " kense-server/kense-server.example.json$" <<<"$1" && grep -q " kense-server/kense-server.service$" <<<"$1"' _ "$t"
tar -xzf "$DIST/$SERVER_TGZ" -C "$tmp"
check "server tarball: THIRD_PARTY_NOTICES.txt (0644) names bbolt and the fonts' OFL" \
	bash -c 'grep -q "^-rw-r--r-- .* kense-server/THIRD_PARTY_NOTICES.txt$" <<<"$1" && grep -q "^go.etcd.io/bbolt v" "$2" && grep -q "SIL OPEN FONT LICENSE" "$2"' \
	_ "$t" "$tmp/kense-server/THIRD_PARTY_NOTICES.txt"
notices_match "server notices list exactly the modules in kense-server (go version -m)" \
	"$tmp/kense-server/THIRD_PARTY_NOTICES.txt" "$tmp/kense-server/kense-server"
check "kense-server is a static linux/amd64 ELF" bash -c 'file "$1" | grep -q "ELF 64-bit.*x86-64.*statically linked"' _ "$tmp/kense-server/kense-server"
if command -v systemd-analyze >/dev/null; then
	sed "s|/usr/local/bin/kense-server|$tmp/kense-server/kense-server|" "$tmp/kense-server/kense-server.service" > "$tmp/kense-server.service"
	check "systemd unit passes systemd-analyze verify" systemd-analyze verify "$tmp/kense-server.service"
fi

if [ "$fails" -gt 0 ]; then echo "$fails check(s) FAILED"; exit 1; fi
echo "release-verify: all checks passed"
