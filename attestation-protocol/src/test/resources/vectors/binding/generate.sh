#!/bin/sh
# Generates the challenge-binding vectors with openssl and coreutils only (no project code),
# so the Java implementation is checked against an independent computation.
# Usage: ./generate.sh [OUTDIR]   (default: this directory). Each run makes new keys and nonces.
set -eu
out=${1:-$(dirname "$0")}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

b64url() { basenc --base64url -w0 | tr -d '='; }

# vector NAME OPENSSL_CURVE JWK_CRV COORD_BYTES NONCE_MODE(random|counting)
vector() {
    name=$1 curve=$2 crv=$3 n=$4 mode=$5
    openssl ecparam -name "$curve" -genkey -noout -out "$tmp/key.pem"
    openssl ec -in "$tmp/key.pem" -pubout -outform DER -out "$tmp/pub.der" 2>/dev/null
    point_len=$((1 + 2 * n))
    tail -c "$point_len" "$tmp/pub.der" > "$tmp/point"          # 04 || X || Y
    [ "$(head -c 1 "$tmp/point" | xxd -p)" = "04" ] || { echo "not an uncompressed point" >&2; exit 1; }
    x=$(tail -c +2 "$tmp/point" | head -c "$n" | b64url)
    y=$(tail -c "$n" "$tmp/point" | b64url)
    # RFC 7638: required members only, lexicographic order, no whitespace.
    canonical=$(printf '{"crv":"%s","kty":"EC","x":"%s","y":"%s"}' "$crv" "$x" "$y")
    printf '%s' "$canonical" | openssl dgst -sha256 -binary > "$tmp/thumb"
    if [ "$mode" = counting ]; then
        i=0; : > "$tmp/nonce"
        while [ $i -lt 64 ]; do printf "$(printf '\\%03o' $i)" >> "$tmp/nonce"; i=$((i + 1)); done
    else
        openssl rand 64 > "$tmp/nonce"
    fi
    cat "$tmp/nonce" "$tmp/thumb" | openssl dgst -sha512 -binary > "$tmp/challenge"
    openssl ec -in "$tmp/key.pem" -pubout -out "$out/$name.pub.pem" 2>/dev/null
    cat > "$out/$name.json" <<JSON
{
  "description": "$crv key, $mode nonce; challenge = SHA-512(nonce || SHA-256(thumbprintInput))",
  "nonceHex": "$(xxd -p -c 256 "$tmp/nonce")",
  "jwk": {"kty": "EC", "crv": "$crv", "x": "$x", "y": "$y"},
  "thumbprintInput": $(printf '%s' "$canonical" | sed 's/"/\\"/g; s/^/"/; s/$/"/'),
  "thumbprintHex": "$(xxd -p -c 256 "$tmp/thumb")",
  "challengeHex": "$(xxd -p -c 256 "$tmp/challenge")"
}
JSON
}

vector p256-random-nonce prime256v1 P-256 32 random
vector p384-random-nonce secp384r1 P-384 48 random
vector p384-counting-nonce secp384r1 P-384 48 counting
