#!/usr/bin/env bash
# probes.sh PYTHON CHECK ROOT: each probe copies ROOT's src/, sim/ and apps/ to a temporary tree,
# breaks one rule of the include graph there, and expects CHECK to exit 1 naming the file; the
# untouched copy must pass, so the test can fail both ways.
set -euo pipefail
python=$1 check=$2 root=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/tempus-include-graph.XXXXXX")
trap 'rm -rf "$work"' EXIT
failures=0

# probe NAME FILE LINE: FILE (relative to the tree, created if missing) gets LINE at the top; the
# check must fail and its output must name FILE. NAME "clean" adds nothing and must pass.
probe() {
  local name=$1 file=${2:-} line=${3:-} tree="$work/$1" rc=0
  mkdir -p "$tree"
  cp -r "$root/src" "$root/sim" "$root/apps" "$tree/"
  if [ -n "$file" ]; then
    mkdir -p "$(dirname "$tree/$file")"
    { printf '%s\n' "$line"; cat "$tree/$file" 2>/dev/null || true; } >"$tree/$file.new"
    mv "$tree/$file.new" "$tree/$file"
  fi
  "$python" "$check" "$tree" >"$tree.out" 2>&1 || rc=$?
  if [ "$name" = clean ]; then
    if [ $rc -eq 0 ]; then echo "ok   clean tree passes"; else
      echo "FAIL clean tree: exit $rc"; cat "$tree.out"; failures=$((failures + 1)); fi
  elif [ $rc -eq 1 ] && grep -q "$file" "$tree.out"; then
    echo "ok   $name: $(grep -m1 "$file" "$tree.out")"
  else
    echo "FAIL $name: expected exit 1 naming $file, got exit $rc"; cat "$tree.out"; failures=$((failures + 1))
  fi
  rm -rf "$tree" "$tree.out"
}

probe clean
probe base_includes_core src/base/result.h '#include "core/time/ntp_duration.h"'
probe core_includes_engine src/core/time/ntp_duration.h '#include "engine/clock.h"'
probe core_includes_io src/core/wire/codec.cc '#include "io/poll_loop.h"'
probe io_includes_engine src/io/poll_loop.h '#include "engine/node.h"'
probe config_includes_engine src/config/driftfile.h '#include "engine/clock.h"'
probe config_includes_obs src/config/driftfile.h '#include "obs/prometheus.h"'
probe crypto_includes_engine src/crypto/system_random.h '#include "engine/clock.h"'
probe engine_includes_obs src/engine/node.h '#include "obs/prometheus.h"'
probe engine_includes_apps src/engine/node.h '#include "apps/tempus/common.h"'
probe src_includes_tests src/engine/node.cc '#include "tests/engine/node_fixture.h"'
probe relative_include src/io/poll_loop.cc '#include "../engine/clock.h"'
probe sim_includes_io sim/simulation.cc '#include "io/poll_loop.h"'
# wire -> time holds (the packet has timestamps), so time -> wire closes a loop: both files are named.
probe core_folder_loop src/core/time/ntp_duration.h '#include "core/wire/packet.h"'
probe core_includes_node src/core/system/system.h '#include "core/node/node.h"'
probe core_file_outside_folder src/core/loose.h '#include "base/result.h"'

if [ $failures -ne 0 ]; then
  echo "$failures probe(s) not judged as expected"
  exit 1
fi
echo "all probes judged as expected"
