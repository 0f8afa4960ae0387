#!/usr/bin/env bash
# Copies front-end libraries from node_modules to web/static/vendor (not committed).
set -euo pipefail
cd "$(dirname "$0")/.."
dest=web/static/vendor
rm -rf "$dest" && mkdir -p "$dest/bootstrap" "$dest/bpmn-js"
cp node_modules/bootstrap/dist/css/bootstrap.min.css "$dest/bootstrap/"
cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js "$dest/bootstrap/"
cp node_modules/bpmn-js/dist/bpmn-viewer.production.min.js "$dest/bpmn-js/"
cp node_modules/bpmn-js/dist/bpmn-modeler.production.min.js "$dest/bpmn-js/"
cp -r node_modules/bpmn-js/dist/assets "$dest/bpmn-js/"
# The process editor: bpmn-js Modeler + properties panel + our sources, bundled offline by
# esbuild from node_modules (modeler.js and modeler.css).
mkdir -p "$dest/modeler"
node_modules/.bin/esbuild web/static/modeler/src/index.js --bundle --minify --format=iife \
  --target=es2019 --jsx=automatic --jsx-import-source=@bpmn-io/properties-panel/preact \
  --loader:.js=jsx --log-level=warning --outfile="$dest/modeler/modeler.js"
