#!/usr/bin/env bash
# Build Caddy with the tokenmint plugin from this checkout, and serve the
# example config with demo secrets.
#
#   ./xcaddy.sh build   writes ./caddy (Caddy v2.11.9 + provider_token)
#   ./xcaddy.sh run     builds, then serves Caddyfile.example on
#                       http://localhost:8080 in the foreground: the demo
#                       page (demo/) at / and a token endpoint per preset
#
# xcaddy is declared as a tool in go.mod (go tool xcaddy), so nothing needs
# installing beyond Go itself.
set -euo pipefail
cd "$(dirname "$0")"

CADDY_VERSION=v2.11.9
MODULE=github.com/tokenmint/caddy-tokenmint
# xcaddy needs a version to replace with the local checkout; any will do.
LOCAL_VERSION=v0.0.0-00010101000000-000000000000

build() {
	echo "building ./caddy: Caddy $CADDY_VERSION with $MODULE from $(pwd)" >&2
	go tool xcaddy build "$CADDY_VERSION" \
		--with "$MODULE@$LOCAL_VERSION=." \
		--output ./caddy
	# Not grep -q: it would stop reading at the match, and under pipefail the
	# SIGPIPE that list-modules then gets fails the check now and then.
	./caddy list-modules | grep -x 'http.handlers.provider_token' >/dev/null ||
		{ echo "./caddy lacks http.handlers.provider_token" >&2; exit 1; }
}

# Demo secrets: fine for localhost, never for anything else. demo/demo.env
# is the one definition; .ci/browser-test sources the same file.
demo_env() {
	# shellcheck source=demo/demo.env
	. ./demo/demo.env
	TOKENMINT_DEMO_HASH=$(./caddy hash-password --plaintext "$TOKENMINT_DEMO_PASSWORD")
	export TOKENMINT_DEMO_HASH
	# Demo keys for the routes of RS256 presets (jaas, firebase, ...) and
	# ES256 ones (mapkit, weatherkit), made once.
	DEMO_RSA_KEY="${TMPDIR:-/tmp}/tokenmint-demo-keys/rsa.pem"
	DEMO_EC_KEY="${TMPDIR:-/tmp}/tokenmint-demo-keys/ec.pem"
	go run ./demo/genkey -out "$(dirname "$DEMO_RSA_KEY")"
	export DEMO_RSA_KEY DEMO_EC_KEY
}

run() {
	build
	demo_env
	./caddy validate --config Caddyfile.example --adapter caddyfile >/dev/null
	local u="$TOKENMINT_DEMO_USER:$TOKENMINT_DEMO_PASSWORD"
	cat <<MSG

tokenmint demo on http://localhost:8080 (user $TOKENMINT_DEMO_USER, password $TOKENMINT_DEMO_PASSWORD).

Open http://localhost:8080/ in a browser and log in as $TOKENMINT_DEMO_USER / $TOKENMINT_DEMO_PASSWORD:
the demo page calls every endpoint as the provider's own front end would,
and shows each token with its decoded header and claims. Or try:

  curl -u $u -X POST http://localhost:8080/hms/auth-token -H 'Content-Type: application/json' -d '{"room_id":"633fcdd84208780bf665346a","role":"guest"}'
  curl -u $u -X POST http://localhost:8080/hms/management-token
  curl -u $u -X POST http://localhost:8080/zoom/signature -H 'Content-Type: application/json' -d '{"sessionName":"Cool Cars","role":0}'
  curl -u $u http://localhost:8080/viasocket/token
  curl -u $u 'http://localhost:8080/videosdk/get-token?roomId=2kyv-gzay-64pg'
  curl -u $u -X POST http://localhost:8080/databridges/token -H 'Content-Type: application/json' -d '{"ch":"prs:lobby","sid":"s1","dbappkey":"$DATABRIDGES_APP_KEY","act":"channel.subscribe"}'
  curl -u $u http://localhost:8080/app/token
  curl -u $u http://localhost:8080/api/whoami      # inject mode: the upstream echoes the Authorization it got

Stop with Ctrl-C.
MSG
	exec ./caddy run --config Caddyfile.example --adapter caddyfile
}

case "${1:-}" in
build) build ;;
run) run ;;
*)
	echo "usage: $0 build|run" >&2
	exit 2
	;;
esac
