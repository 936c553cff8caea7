#!/usr/bin/env bash
# dist.completion: the generated bash completions, sourced in a plain bash (no bash-completion
# package needed), complete what --help lists: tempus's subcommands (read from `tempus --help`),
# options of a subcommand and of tempusd, the values of a choice option, and file names.
set -uo pipefail
: "${TEMPUSD:?}" "${TEMPUS:?}" "${GEN_DIR:?}"
fail=0
err() { echo "FAIL: $*"; fail=1; }
# shellcheck source=/dev/null
source "$GEN_DIR/completion/tempus" || err "sourcing completion/tempus failed"
# shellcheck source=/dev/null
source "$GEN_DIR/completion/tempusd" || err "sourcing completion/tempusd failed"
complete -p tempus >/dev/null 2>&1 || err "no completion registered for tempus"
complete -p tempusd >/dev/null 2>&1 || err "no completion registered for tempusd"

# comp WORD...: what the registered function offers for the command line WORD... (the last word
# is the one being completed), one per line, sorted.
comp() {
  local fn
  fn=$(complete -p "$1" | sed -n 's/.*-F \([^ ]*\) .*/\1/p')
  COMP_WORDS=("$@")
  COMP_CWORD=$(($# - 1))
  COMP_LINE="$*"
  COMPREPLY=()
  "$fn" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
  printf '%s\n' "${COMPREPLY[@]}" | sort
}
expect() {  # expect "WANTED..." WORD...
  local want=$1 got
  shift
  got=$(comp "$@" | tr '\n' ' ' | sed 's/ $//')
  [ "$got" = "$want" ] || err "'$*': got '$got', expected '$want'"
}

subs=$("$TEMPUS" --help | awk '/^Subcommands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }' | sort)
[ -n "$subs" ] || err "tempus --help lists no subcommands"
expect "$(echo "$subs" | tr '\n' ' ' | sed 's/ $//')" tempus ""
expect "query" tempus qu
expect "sim status sync" tempus s
expect "--json" tempus query --js
expect "observe system virtual" tempus query --clock ""
expect "system" tempus sync --clock s
# The options --help lists that start with --c.
expect "$("$TEMPUSD" --help | grep -o -- '--c[a-z-]*' | sort -u | tr '\n' ' ' | sed 's/ $//')" tempusd --c
expect "observe system virtual" tempusd --clock ""
# Every option tempusd --help lists is offered after "--".
offered=$(comp tempusd --)
for opt in $("$TEMPUSD" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
  grep -qx -- "$opt" <<<"$offered" || err "tempusd: '$opt' is not completed"
done
# A configuration file name.
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
touch "$dir/ntp.conf"
expect "$dir/ntp.conf" tempusd -c "$dir/ntp"
expect "$dir/ntp.conf" tempus sim "$dir/n"
# A flag takes no value: after it, the scenario file is completed.
expect "$dir/ntp.conf" tempus sim --json "$dir/n"
# --csv FILE: a file name, the value of an option.
expect "$dir/ntp.conf" tempus sim --csv "$dir/n"
[ $fail -eq 0 ] && echo "dist.completion: ok"
exit $fail
