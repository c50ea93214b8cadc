#!/usr/bin/env bash
# Installs code-server (a real VS Code workbench and Node extension host, from the npm registry)
# into .cache/code-server for the real-VS-Code tests, with no download from outside the npm
# registry and Debian: its postinstall (which refuses to run as root and fetches ripgrep) is done
# here by hand. Idempotent: a finished install is kept.
# usage: scripts/setup-code-server.sh            (env CODE_SERVER_VERSION, default 4.100.3: VS Code 1.100.3, the last on Node 20)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEST=${CODE_SERVER_DIR:-$ROOT/.cache/code-server}
VER=${CODE_SERVER_VERSION:-4.100.3}
CS=$DEST/node_modules/code-server
if [ -f "$DEST/.done-$VER" ] && [ -f "$CS/out/node/entry.js" ]; then echo "code-server $VER ready in $DEST"; exit 0; fi

export DEBIAN_FRONTEND=noninteractive
need=(); for p in g++ make python3 pkg-config libkrb5-dev ripgrep chromium; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
export npm_config_nodedir=${npm_config_nodedir:-/usr}   # build native addons against the installed Node headers
NODE_GYP=$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js
mkdir -p "$DEST" && cd "$DEST"
[ -f package.json ] || echo '{"private":true}' > package.json
npm install --ignore-scripts --no-audit --no-fund --loglevel=error "code-server@$VER"
npm rebuild argon2 --loglevel=error
cd "$CS/lib/vscode"
npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error
mkdir -p node_modules/@vscode/ripgrep/bin && cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
mods=$(find node_modules -maxdepth 3 -name binding.gyp -not -path '*/node-pty/*' -not -path '*/@parcel/watcher/*' -printf '%h\n' | sed 's#^node_modules/##' | sort)
# shellcheck disable=SC2086
npm rebuild $mods --loglevel=error
(cd node_modules/node-pty && node "$NODE_GYP" rebuild --nodedir="$npm_config_nodedir" >/dev/null)
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sfn code-linux.sh code-server)
(cd bin/helpers && ln -sfn browser-linux.sh browser.sh)
(cd extensions && npm install --omit=dev --no-audit --no-fund --loglevel=error)
node "$CS/out/node/entry.js" --version
touch "$DEST/.done-$VER"
