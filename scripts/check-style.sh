#!/usr/bin/env bash
# check-style.sh: the formatting (.clang-format) and lint (.clang-tidy) checks, with version 14 of
# both tools (another version formats differently).
#
#   scripts/check-style.sh [FILE...]      clang-format --dry-run --Werror on FILEs (default: every
#                                         C++ file of src/ apps/ sim/ tests/ fuzz/ bench/), then
#                                         clang-tidy over src/base and src/core
#   scripts/check-style.sh --enforced     clang-format only on the files .clang-format-enforced
#                                         lists (what CI enforces; the list grows until the whole
#                                         tree is formatted), then clang-tidy
#   --format-only / --tidy-only           one of the two
#   TEMPUS_BUILD_DIR=DIR (default build)  where clang-tidy finds compile_commands.json
#
# .clang-format-enforced: one path per line, a file or a folder (every .h/.cc below it); # starts
# a comment. Exit status: 0 clean, 1 a check failed, 2 usage or a missing tool.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 2
build=${TEMPUS_BUILD_DIR:-build}
do_format=1 do_tidy=1 enforced=0
files=()
for a in "$@"; do
  case $a in
    --enforced) enforced=1 ;;
    --format-only) do_tidy=0 ;;
    --tidy-only) do_format=0 ;;
    -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "check-style.sh: unknown option $a" >&2; exit 2 ;;
    *) files+=("$a") ;;
  esac
done

# tool NAME: the version-14 binary (NAME-14, or NAME when that is version 14).
tool() {
  local b
  for b in "$1-14" "$1"; do
    if command -v "$b" >/dev/null && "$b" --version | grep -q ' 14\.'; then
      echo "$b"
      return 0
    fi
  done
  echo "check-style.sh: $1 version 14 not found (apt-get install $1-14)" >&2
  return 1
}

# cxx_files PATH...: the .h/.cc files of each PATH (a file or a folder), tracked by git.
cxx_files() {
  git ls-files -- "$@" | grep -E '\.(h|cc)$' || true
}

status=0
if [ $do_format = 1 ]; then
  format=$(tool clang-format) || exit 2
  if [ $enforced = 1 ]; then
    mapfile -t paths < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' .clang-format-enforced)
    # A path that names no tracked file (moved, renamed) would silently drop out of the check.
    for p in "${paths[@]}"; do
      if [ -z "$(cxx_files "$p")" ]; then
        echo "check-style: .clang-format-enforced: '$p' names no tracked .h/.cc file" >&2
        status=1
      fi
    done
    mapfile -t files < <(cxx_files "${paths[@]}")
  elif [ ${#files[@]} -eq 0 ]; then
    mapfile -t files < <(cxx_files src apps sim tests fuzz bench)
  fi
  if [ ${#files[@]} -gt 0 ]; then
    echo "check-style: $format --dry-run --Werror on ${#files[@]} file(s)"
    if ! "$format" --dry-run --Werror --style=file "${files[@]}"; then
      echo "check-style: formatting differs: run $format -i on the files above" >&2
      status=1
    fi
  fi
fi

if [ $do_tidy = 1 ]; then
  tidy=$(tool clang-tidy) || exit 2
  if [ ! -f "$build/compile_commands.json" ]; then
    echo "check-style: $build/compile_commands.json missing: configure with cmake first (TEMPUS_BUILD_DIR)" >&2
    exit 2
  fi
  mapfile -t units < <(git ls-files -- src/base src/core | grep -E '\.cc$')
  echo "check-style: $tidy over ${#units[@]} file(s) of src/base and src/core"
  # Two at a time (the machine's cores); .clang-tidy makes every warning an error.
  if ! printf '%s\n' "${units[@]}" | xargs -P 2 -n 4 "$tidy" -p "$build" --quiet 2> >(grep -v '^[0-9]* warnings\? generated\.$' >&2); then
    echo "check-style: clang-tidy found problems (above); .clang-tidy says why each check is on or off" >&2
    status=1
  fi
fi
exit $status
