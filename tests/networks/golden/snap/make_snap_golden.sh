#!/usr/bin/env bash
# Reference output of SNAP's C++ netinf for tests/networks/test_snap_objective.py.
#
# Source: https://github.com/snap-stanford/snap, commit
# 6924a035aabd1ce0a547b94e995e142f29eb5040 (2023-02-27), examples/netinf (netinf.cpp,
# snap-adv/cascnetinf.cpp). Nothing of SNAP's code is in this repository; this script
# builds it outside the repository and runs it on SNAP's own example input.
#
# Usage: make_snap_golden.sh /path/to/snap-checkout
set -euo pipefail
SNAP=${1:?path to a checkout of snap-stanford/snap}
HERE=$(cd "$(dirname "$0")" && pwd)
(cd "$SNAP/examples/netinf" && make)
WORK=$(mktemp -d)
cp "$SNAP/examples/netinf/example-cascades.txt" "$WORK/"
cp "$SNAP/examples/netinf/example-cascades.txt" "$HERE/example-cascades.txt"
cp "$SNAP/examples/netinf/network-edge.info" "$HERE/network-edge.info"   # shipped: -e:5
cd "$WORK"
# exponential model, alpha 1 (SNAP's defaults); -e large so that it runs until no edge
# improves the objective (it stops there by itself)
"$SNAP/examples/netinf/netinf" -i:example-cascades.txt -o:full -e:10000 -s:1
cp full-edge.info "$HERE/full-edge.info"
