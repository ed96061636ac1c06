#!/usr/bin/env bash
# Makes a THROWAWAY code-signing CA and certificate for CI's signature check:
#   release/gen-test-cert.sh DIR
# writes DIR/ca.pem (trust anchor for `osslsigncode verify -CAfile`),
# DIR/cert.pem (leaf + CA chain), DIR/key.pem (encrypted) and DIR/pass.
# DIR must be a fresh temporary directory (mktemp -d) and is never committed:
# nothing signed with it is trusted anywhere.
set -euo pipefail
dir=${1:?usage: gen-test-cert.sh DIR}
[ -d "$dir" ] || { echo "gen-test-cert.sh: $dir is not a directory" >&2; exit 2; }
umask 077
cd "$dir"
openssl rand -hex 24 > pass
openssl req -x509 -newkey rsa:3072 -nodes -keyout ca.key -out ca.pem -days 2 -sha256 \
	-subj "/CN=Kense CI Test CA (throwaway)" \
	-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey rsa:3072 -passout file:pass -keyout key.pem -out leaf.csr \
	-subj "/CN=Kense CI Test Code Signing (throwaway)/O=Kense" 2>/dev/null
printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
	"extendedKeyUsage=codeSigning" "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid" > leaf.ext
openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out leaf.pem \
	-days 2 -sha256 -extfile leaf.ext 2>/dev/null
cat leaf.pem ca.pem > cert.pem
rm -f ca.key leaf.csr leaf.ext leaf.pem ca.srl
echo "test signing material in $dir: SIGN_CERT=$dir/cert.pem SIGN_KEY=$dir/key.pem SIGN_PASS=\$(cat $dir/pass) SIGN_CA=$dir/ca.pem"
