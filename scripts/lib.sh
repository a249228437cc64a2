#!/usr/bin/env bash
# The start the check scripts share, sourced as: source "$(dirname "$0")/lib.sh" NAME
# Strict mode, the repository root as the working folder ($repo), a temp folder ($tmp) removed on exit, and
# fail/step, which print with the check's NAME in front (fail exits 1).
set -euo pipefail
check_name=$1
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$(pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rae-$check_name.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "$check_name: FAILED: $*" >&2; exit 1; }
step() { echo "$check_name: $*"; }
