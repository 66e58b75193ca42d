#!/usr/bin/env bash
# Build Caddy with the tokenmint plugin from this checkout, and serve the
# example config with demo secrets.
#
#   ./xcaddy.sh build   writes ./caddy (Caddy v2.11.9 + provider_token)
#   ./xcaddy.sh run     builds, then serves Caddyfile.example on
#                       http://localhost:8080 in the foreground: the demo
#                       page (demo/) at / and a token endpoint per preset
#
# The ports of ./xcaddy.sh run, from the environment or from flags:
#
#   TOKENMINT_PORT            --port N           the demo site (8080)
#   TOKENMINT_UPSTREAM_PORT   --upstream-port N  the stand-in upstream of inject mode (8081)
#   TOKENMINT_FRONT_PORT      --front-port N     the front end on another origin (8082)
#   TOKENMINT_ADMIN           --admin ADDR       Caddy's admin API (localhost:2019; off for none)
#
#   TOKENMINT_PORT=18080 ./xcaddy.sh run
#   ./xcaddy.sh run --port 18080 --admin localhost:12019
#
# It checks that each port is free before it builds and again before it
# starts Caddy; when one is not, it says which and exits 1 without serving.
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
# is the one definition; .ci/smoke and .ci/browser-test source the same file.
demo_env() {
	# shellcheck source=demo/demo.env
	. ./demo/demo.env
	TOKENMINT_DEMO_HASH=$(./caddy hash-password --plaintext "$TOKENMINT_DEMO_PASSWORD")
	export TOKENMINT_DEMO_HASH
	# The demo keys (demo.env's DEMO_RSA_KEY, DEMO_EC_KEY) of the routes of
	# RS256 presets (jaas, firebase, ...) and ES256 ones (mapkit,
	# weatherkit), made once.
	go run ./demo/genkey -out "$DEMO_KEYS"
}

# ports reads the flags of run into the TOKENMINT_* variables, fills in
# the defaults, and exports them for Caddyfile.example's {$VAR:default}.
ports() {
	while [ $# -gt 0 ]; do
		local flag=$1 value=
		case $flag in
		--*=*) value=${flag#*=} flag=${flag%%=*} ;;
		--*) [ $# -ge 2 ] || usage "$flag needs a value"; value=$2; shift ;;
		*) usage "unknown argument $flag" ;;
		esac
		shift
		case $flag in
		--port) TOKENMINT_PORT=$value ;;
		--upstream-port) TOKENMINT_UPSTREAM_PORT=$value ;;
		--front-port) TOKENMINT_FRONT_PORT=$value ;;
		--admin) TOKENMINT_ADMIN=$value ;;
		*) usage "unknown flag $flag" ;;
		esac
	done
	: "${TOKENMINT_PORT:=8080}" "${TOKENMINT_UPSTREAM_PORT:=8081}" "${TOKENMINT_FRONT_PORT:=8082}" "${TOKENMINT_ADMIN:=localhost:2019}"
	local v
	for v in TOKENMINT_PORT TOKENMINT_UPSTREAM_PORT TOKENMINT_FRONT_PORT; do
		[[ ${!v} =~ ^[0-9]+$ ]] && [ "${!v}" -ge 1 ] && [ "${!v}" -le 65535 ] ||
			usage "$v=${!v}: want a port number (1-65535)"
	done
	export TOKENMINT_PORT TOKENMINT_UPSTREAM_PORT TOKENMINT_FRONT_PORT TOKENMINT_ADMIN
}

# check_ports exits 1, naming each port that is taken, unless Caddy can
# bind them all as Caddyfile.example asks: the sites on every interface,
# the upstream on 127.0.0.1, the admin API where TOKENMINT_ADMIN says.
check_ports() {
	local addrs=(
		"TOKENMINT_PORT=:$TOKENMINT_PORT"
		"TOKENMINT_UPSTREAM_PORT=127.0.0.1:$TOKENMINT_UPSTREAM_PORT"
		"TOKENMINT_FRONT_PORT=:$TOKENMINT_FRONT_PORT"
	)
	# A unix socket or "off" has no port to check.
	[[ $TOKENMINT_ADMIN =~ ^(off|unix/.*)$ ]] || addrs+=("TOKENMINT_ADMIN=$TOKENMINT_ADMIN")
	local busy
	busy=$(go run ./demo/endpoints ports "${addrs[@]}") ||
		{ echo "./xcaddy.sh run: cannot check its ports" >&2; exit 1; }
	if [ -n "$busy" ]; then
		{
			echo "./xcaddy.sh run: not started, since a port it needs is taken:"
			sed 's/^/  /' <<<"$busy"
			echo "(its ports: TOKENMINT_PORT, TOKENMINT_UPSTREAM_PORT, TOKENMINT_FRONT_PORT and TOKENMINT_ADMIN, or --port, --upstream-port, --front-port and --admin)"
		} >&2
		exit 1
	fi
}

run() {
	ports "$@"
	check_ports # before the build: a busy port fails in a second, not after it
	build
	demo_env
	./caddy validate --config Caddyfile.example --adapter caddyfile >/dev/null
	local u="$TOKENMINT_DEMO_USER:$TOKENMINT_DEMO_PASSWORD" site="http://localhost:$TOKENMINT_PORT"
	# Every endpoint of demo/endpoints.json as a curl line; this also checks
	# the file before anything is announced.
	local curls
	curls=$(go run ./demo/endpoints curl -base "$site" -login "$u" \
		-var sid=s1 -var databridges_app_key="$DATABRIDGES_APP_KEY")
	check_ports # again: the build took a while
	cat <<MSG

tokenmint demo on $site/ (user $TOKENMINT_DEMO_USER, password $TOKENMINT_DEMO_PASSWORD), with
  the stand-in upstream of inject mode on http://localhost:$TOKENMINT_UPSTREAM_PORT,
  a front end on another origin on http://localhost:$TOKENMINT_FRONT_PORT/,
  Caddy's admin API on $TOKENMINT_ADMIN.

Open $site/ in a browser and log in as $TOKENMINT_DEMO_USER / $TOKENMINT_DEMO_PASSWORD
(type the address without user:password@: with it, the browser refuses the page's calls).
The page calls every endpoint as the provider's own front end would, and shows
each token with its decoded header and claims. Or, every endpoint as curl
(demo/endpoints.json):

$curls

Stop with Ctrl-C.
MSG
	exec ./caddy run --config Caddyfile.example --adapter caddyfile
}

usage() {
	[ -z "${1:-}" ] || echo "$0: $1" >&2
	echo "usage: $0 build | run [--port N] [--upstream-port N] [--front-port N] [--admin ADDR]" >&2
	exit 2
}

case "${1:-}" in
build) build ;;
run)
	shift
	run "$@"
	;;
*) usage ;;
esac
