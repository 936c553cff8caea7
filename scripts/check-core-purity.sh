#!/bin/sh
# check-core-purity.sh DIR: fail when the pure core mentions anything that reaches outside it:
# a syscall, a clock read, a socket, getenv, a random device, threads, files or a throw.
# The core gets time, packets and randomness passed in (see ARCHITECTURE.md). // comments are
# stripped first, so a comment may name these things.
set -eu
dir=${1:?usage: check-core-purity.sh DIR}
pattern='\b(syscall|clock_gettime|clock_settime|clock_adjtime|adjtimex|ntp_adjtime|gettimeofday|settimeofday|system_clock|steady_clock|high_resolution_clock|socket|bind|connect|sendto|sendmsg|recvfrom|recvmsg|getenv|secure_getenv|random_device|getrandom|arc4random|urandom|pthread_[a-z_]+|fopen|ofstream|ifstream|throw)\b|\btime[[:space:]]*\([[:space:]]*(NULL|nullptr|0)?[[:space:]]*\)|std::thread|#include[[:space:]]*<(sys/|unistd|fcntl|netinet|arpa/|thread|random|chrono|fstream|iostream|ctime|time\.h)'
status=0
for f in $(find "$dir" -type f \( -name '*.h' -o -name '*.cc' \) | sort); do
  hits=$(sed -E 's#//.*$##' "$f" | grep -nE "$pattern" || true)
  if [ -n "$hits" ]; then
    echo "$hits" | sed "s#^#$f:#" >&2
    status=1
  fi
done
if [ $status -ne 0 ]; then
  echo "error: src/core must stay pure: no syscalls, clock reads, sockets, getenv, randomness, threads, files or throw" >&2
fi
exit $status
