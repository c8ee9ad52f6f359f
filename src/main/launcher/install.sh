#!/bin/sh
# Installs the launcher into the build directory ($1, target/): first-ordinal, its kubectl
# plugin form kubectl-first_ordinal and the plugin's completion kubectl_complete-first_ordinal,
# executable, beside quarkus-app/. Run by ./mvnw package.
set -eu
here=$(dirname "$0")
for name in first-ordinal kubectl-first_ordinal kubectl_complete-first_ordinal; do
    cp "$here/first-ordinal" "$1/$name"
    chmod 755 "$1/$name"
done
