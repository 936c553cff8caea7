#!/usr/bin/env bash
# check-core-purity.sh: fail when the pure core (src/core) or base (src/base) reaches outside itself.
#
#   check-core-purity.sh --source DIR...        the text of DIR's .h/.cc files
#   check-core-purity.sh --objects LIB...       the compiled core libraries
#   check-core-purity.sh --base-objects LIB...  the compiled base library: the core's allowlist plus
#                                               TEMPUS_CHECK's report (fprintf to stderr before abort)
#                                               and SysError::ToString's strerror (a message table)
#
# The core gets time, packets and randomness passed in (docs/architecture.md). Two checks, so
# that spelling cannot fool them:
#  - source: no syscall, clock read, socket, getenv, random device, thread, mutex, file, throw,
#    throwing conversion (stoi...) or C library randomness/time by name, and no include of a
#    system header or of an edge folder (engine/, io/, clock/, config/, obs/, apps/, sim/); a
#    directory named base/ may include nothing of the project outside base/ (not even core/).
#    // comments are stripped first, so a comment may name these things.
#  - objects: every symbol the compiled core imports (nm -u) must be on the allowlist below
#    (the language runtime, containers, memory and string primitives, math, formatting into a
#    buffer, and the sanitizers' hooks); anything else (clock_gettime, time, rand, getenv, fopen,
#    pthread_*, std::filesystem, std::random_device, std::chrono clocks, strtol behind stoi, errno)
#    fails. And no object may live in writable static storage (.data/.bss/TLS): a mutable global
#    or a function-local static would make two cores in one process share state.
set -euo pipefail
usage() {
  echo "usage: check-core-purity.sh --source DIR... | --objects LIB... | --base-objects LIB..." >&2
  exit 2
}
[ $# -ge 2 ] || usage
mode=$1
shift

status=0
fail() {
  echo "$1" >&2
  status=1
}

check_source() {
  pattern='\b(syscall|clock_gettime|clock_settime|clock_adjtime|adjtimex|ntp_adjtime|gettimeofday|settimeofday|system_clock|steady_clock|high_resolution_clock|socket|bind|connect|sendto|sendmsg|recvfrom|recvmsg|getenv|secure_getenv|random_device|getrandom|arc4random|urandom|pthread_[a-z_]+|mutex|shared_mutex|recursive_mutex|condition_variable|fopen|open|ofstream|ifstream|filesystem|throw|stoi|stol|stoll|stoul|stoull|stof|stod|stold|atoi|atol|strtol|strtoul|strtod|errno|localtime|gmtime|mktime|sleep|usleep|nanosleep)\b|\b(time|rand|srand|random|drand48|lrand48)[[:space:]]*\(|std::thread|std::jthread|std::async|#include[[:space:]]*<(sys/|unistd|fcntl|netinet|arpa/|netdb|poll|signal|thread|mutex|shared_mutex|condition_variable|future|atomic|random|chrono|filesystem|fstream|iostream|ctime|time\.h)|#include[[:space:]]*"(engine|io|clock|config|obs|apps|sim)/'
  for dir in "$@"; do
    for f in $(find "$dir" -type f \( -name '*.h' -o -name '*.cc' \) | sort); do
      hits=$(sed -E 's#//.*$##' "$f" | grep -nE "$pattern" || true)
      [ -z "$hits" ] || fail "$(echo "$hits" | sed "s#^#$f:#")"
      # base/ is below the core: it includes only itself and the standard library.
      if [ "$(basename "$dir")" = base ]; then
        hits=$(sed -E 's#//.*$##' "$f" | grep -nE '#include[[:space:]]*"' | grep -vE '#include[[:space:]]*"base/' || true)
        [ -z "$hits" ] || fail "$(echo "$hits" | sed "s#^#$f: base may include only base/: #")"
      fi
    done
  done
  [ $status -eq 0 ] || echo "error: src/core and src/base must stay pure: no syscalls, clock reads, sockets, getenv, randomness, threads, mutexes, files, throw or edge includes" >&2
}

# Imported symbols the core may use, as extended regular expressions over `nm -u -C` names.
allowed='^(tempus::.*'
allowed="$allowed|operator (new|delete)(\[\])?\(.*\)|std::nothrow"
allowed="$allowed|std::_Rb_tree_[a-z_]+\(.*\)|std::__throw_[a-z_]+\(.*\)|std::__detail::_Prime_rehash_policy::.*|std::_Hash_bytes\(.*\)"
allowed="$allowed|std::__cxx11::basic_string<.*|std::basic_string<.*|std::allocator<.*|std::__once_proxy|std::terminate\(\)"
allowed="$allowed|(vtable|typeinfo|typeinfo name) for (__cxxabiv1|std)::.*"
allowed="$allowed|__cxa_(begin_catch|end_catch|rethrow|pure_virtual|guard_acquire|guard_release|guard_abort|throw_bad_array_new_length)|__gxx_personality_v0|_Unwind_Resume"
allowed="$allowed|mem(cpy|move|set|cmp|chr)|str(len|cmp|ncmp|chr)|snprintf|vsnprintf|abort|__stack_chk_fail|__assert_fail"
allowed="$allowed|(sqrt|cbrt|log|log2|log10|log1p|exp|exp2|expm1|pow|fabs|floor|ceil|trunc|round|lround|llround|llroundl|nearbyint|rint|lrint|llrint|fmod|remainder|ldexp|frexp|modf|hypot|copysign|sin|cos|atan2)[fl]?"
allowed="$allowed|__(u?(div|mod)ti3|popcount[dst]i2|clz[dst]i2|ctz[dst]i2|muloti4)"
allowed="$allowed|__(asan|ubsan|sanitizer|lsan)_.*|__sancov_.*|__start___sancov.*|__stop___sancov.*"
# _FORTIFY_SOURCE (Debian's dpkg-buildflags, the package build) turns the allowed memcpy and
# snprintf calls (and base's fprintf) into glibc's bounds-checking variants of the same functions.
allowed="$allowed|__(mem(cpy|move|set)|v?snprintf)_chk)\$"
# base/ may also report a failed TEMPUS_CHECK on stderr (then abort) and name an errno.
base_allowed="${allowed%)\$}|fprintf|stderr|strerror|__fprintf_chk)\$"

check_objects() {
  local allowed=$1
  shift
  for lib in "$@"; do
    [ -f "$lib" ] || { fail "$lib: no such library"; continue; }
    imports=$(nm -u -C "$lib" | sed -nE 's/^[[:space:]]+[A-Za-z][[:space:]]+//p' | sort -u)
    # The edge's namespaces first: the core may not call into them even though they are tempus's.
    bad=$( (printf '%s\n' "$imports" | grep -E '^(typeinfo for |vtable for )?tempus::(engine|io|clock|config|obs|sim|app|daemon)::';
            printf '%s\n' "$imports" | grep -vE "$allowed") | grep -v '^$' | sort -u || true)
    [ -z "$bad" ] || fail "$(printf '%s\n' "$bad" | sed "s#^#$lib: imports #")"
    # Objects in writable static storage: .data, .bss and TLS (not .data.rel.ro, which is
    # read-only after relocation; DW.ref.__gxx_personality_v0 is the unwinder's own).
    writable=$(objdump -t "$lib" | awk '$0 ~ / O / && $4 ~ /^\.(data|bss|tdata|tbss)/ && $4 !~ /^\.data\.rel\.ro/ && $NF !~ /^DW\.ref\./ {print $NF}' | sort -u)
    if [ -n "$writable" ]; then
      fail "$(printf '%s\n' "$writable" | c++filt | sed "s#^#$lib: mutable static storage: #")"
    fi
  done
  [ $status -eq 0 ] || echo "error: the compiled core must stay pure: no imports outside the allowlist, no mutable globals (scripts/check-core-purity.sh)" >&2
}

case "$mode" in
  --source) check_source "$@" ;;
  --objects) check_objects "$allowed" "$@" ;;
  --base-objects) check_objects "$base_allowed" "$@" ;;
  *) usage ;;
esac
exit $status
