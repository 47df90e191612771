#!/bin/bash -eu
# ClusterFuzzLite build: the same build as OSS-Fuzz's (one script, one list of
# targets in fuzzers/targets.txt). Runs from $SRC/slabfuzz (the Dockerfile's
# WORKDIR), copied to $SRC/build.sh by the Dockerfile.
set -eu -o pipefail
cd "${SLABFUZZ_SRC:-$SRC/slabfuzz}"
exec bash ci/oss-fuzz/build.sh
