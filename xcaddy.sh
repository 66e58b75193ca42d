#!/usr/bin/env bash
# Build Caddy with the tokenmint plugin from this checkout, and serve the
# example config with demo secrets.
#
#   ./xcaddy.sh build   writes ./caddy (Caddy v2.11.9 + provider_token)
#   ./xcaddy.sh run     builds, then serves Caddyfile.example on
#                       http://localhost:8080 in the foreground
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
	./caddy list-modules | grep -q '^http.handlers.provider_token$' ||
		{ echo "./caddy lacks http.handlers.provider_token" >&2; exit 1; }
}

# Demo secrets: fine for localhost, never for anything else.
demo_env() {
	export TOKENMINT_DEMO_USER=demo
	export TOKENMINT_DEMO_PASSWORD=tokenmint-demo
	export HMS_ACCESS_KEY=demo-hms-access-key
	export HMS_SECRET=demo-hms-secret-change-me
	export ZOOM_SDK_KEY=demo-zoom-sdk-key
	export ZOOM_SDK_SECRET=demo-zoom-sdk-secret-change-me
	export VIASOCKET_ACCESS_KEY=demo-viasocket-access-key
	export VIDEOSDK_API_KEY=demo-videosdk-api-key
	export VIDEOSDK_SECRET=demo-videosdk-secret-change-me
	export DATABRIDGES_APP_KEY=demo-databridges-app-key
	export DATABRIDGES_APP_SECRET=demo-databridges-secret-change-me
	export APP_JWT_SECRET=demo-app-jwt-secret-change-me
	TOKENMINT_DEMO_HASH=$(./caddy hash-password --plaintext "$TOKENMINT_DEMO_PASSWORD")
	export TOKENMINT_DEMO_HASH
}

run() {
	build
	demo_env
	./caddy validate --config Caddyfile.example --adapter caddyfile >/dev/null
	local u="$TOKENMINT_DEMO_USER:$TOKENMINT_DEMO_PASSWORD"
	cat <<MSG

tokenmint demo on http://localhost:8080 (user $TOKENMINT_DEMO_USER, password $TOKENMINT_DEMO_PASSWORD). Try:

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
