#!/usr/bin/env bash
# probes.sh CHECK CXX SRC: every probe below breaks the core's purity in one way; the check must
# reject each one, as source or as a compiled library, and the ones that hide from a text search
# (a name built by the preprocessor, a mutable static) must be caught in the objects. A clean
# probe must pass both checks, so the test can fail both ways.
set -euo pipefail
check=$1 cxx=$2 src=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/tempus-purity.XXXXXX")
trap 'rm -rf "$work"' EXIT
failures=0

# probe NAME EXPECT CODE [LAYER]: EXPECT is "source", "objects" or "either" (where it must be
# caught), or "clean" (must pass both). LAYER is core (default) or base: base's library is checked
# with --base-objects, which also allows TEMPUS_CHECK's report and strerror.
probe() {
  local name=$1 expect=$2 code=$3 layer=${4:-core} dir="$work/$1"
  local objects_mode=--objects
  [ "$layer" = base ] && objects_mode=--base-objects
  mkdir -p "$dir/$layer"
  printf '%s\n' "$code" >"$dir/$layer/probe.cc"
  if ! "$cxx" -std=c++20 -O1 -w -I"$src" -c "$dir/$layer/probe.cc" -o "$dir/probe.o" 2>"$dir/cc.log"; then
    echo "FAIL $name: the probe does not compile"; cat "$dir/cc.log"; failures=$((failures + 1)); return
  fi
  ar rcs "$dir/libprobe.a" "$dir/probe.o"
  local by_source=0 by_objects=0
  bash "$check" --source "$dir/$layer" >/dev/null 2>&1 || by_source=1
  bash "$check" "$objects_mode" "$dir/libprobe.a" >/dev/null 2>&1 || by_objects=1
  local ok=0
  case $expect in
    source) [ $by_source = 1 ] && ok=1 ;;
    objects) [ $by_objects = 1 ] && ok=1 ;;
    either) [ $by_source = 1 ] || [ $by_objects = 1 ] && ok=1 ;;
    clean) [ $by_source = 0 ] && [ $by_objects = 0 ] && ok=1 ;;
  esac
  if [ $ok = 1 ]; then
    echo "ok   $name (source: $by_source, objects: $by_objects)"
  else
    echo "FAIL $name: expected $expect, got source: $by_source, objects: $by_objects"
    bash "$check" --source "$dir/$layer" || true
    bash "$check" "$objects_mode" "$dir/libprobe.a" || true
    failures=$((failures + 1))
  fi
}

probe clean clean '#include <cmath>
#include <map>
#include <string>
#include <vector>
namespace tempus::core { double Mean(const std::vector<double>& v) { double s = 0; for (double x : v) s += x; return v.empty() ? 0 : s / v.size(); }
std::string Name(int i) { std::map<int, std::string> m{{1, "one"}}; auto it = m.find(i); return it == m.end() ? std::string("?") : it->second; }
double Root(double x) { return std::sqrt(x) + std::log(x); } }'
probe syscall either '#include <unistd.h>
#include <sys/syscall.h>
long P() { return syscall(SYS_getpid); }'
probe clock_gettime either '#include <time.h>
long P() { timespec t; clock_gettime(CLOCK_REALTIME, &t); return t.tv_sec; }'
probe chrono_clock either '#include <chrono>
long P() { return std::chrono::system_clock::now().time_since_epoch().count(); }'
probe socket either '#include <sys/socket.h>
int P() { return socket(AF_INET, SOCK_DGRAM, 0); }'
probe getenv either '#include <cstdlib>
const char* P() { return std::getenv("HOME"); }'
probe random_device either '#include <random>
unsigned P() { std::random_device d; return d(); }'
probe rand either '#include <cstdlib>
int P() { return rand(); }'
probe time_call either '#include <ctime>
long P() { time_t t; time(&t); return t; }'
probe thread either '#include <thread>
void P() { std::thread t([] {}); t.join(); }'
probe mutex either '#include <mutex>
std::mutex* M(); int P() { std::lock_guard<std::mutex> l(*M()); return 1; }'
probe fopen either '#include <cstdio>
bool P() { return std::fopen("/etc/hosts", "r") != nullptr; }'
probe filesystem either '#include <filesystem>
bool P() { return std::filesystem::exists("/etc/hosts"); }'
probe stoi either '#include <string>
int P(const std::string& s) { return std::stoi(s); }'
probe throw either 'int P(int x) { if (x < 0) throw 1; return x; }'
probe engine_include source '#include "engine/clock.h"
int P() { return 0; }'
probe io_include source '#include "io/poll_loop.h"
int P() { return 0; }'
# Spelled so that no text search finds the name: only the compiled objects tell.
probe spelled_call objects '#include <time.h>
#define CALL(a, b) a##b
long P() { timespec t; CALL(clock_, gettime)(CLOCK_REALTIME, &t); return t.tv_sec; }'
probe spelled_getenv objects 'extern "C" char* CALL_ENV(const char*) __asm__("get" "env");
const char* P() { return CALL_ENV("HOME"); }'
probe mutable_global objects 'namespace tempus::core { int counter = 0; int Next() { return ++counter; } }'
probe static_local objects 'namespace tempus::core { int Next() { static int n = 0; return ++n; } }'
probe thread_local_var objects 'namespace tempus::core { int Next() { thread_local int n = 0; return ++n; } }'
# The core may not print (TEMPUS_CHECK's report lives in base/); base may, and may name errno's
# text, but may not include the core or read the clock either.
probe report_in_core objects '#include <cstdio>
void P() { std::fprintf(stderr, "x"); }'
probe base_clean clean '#include <cstdio>
#include <cstring>
#include <string>
namespace tempus { std::string Report(int e) { std::fprintf(stderr, "failed: %d", e); return std::strerror(e); } }' base
probe base_core_include source '#include "core/time/ntp_duration.h"
int P() { return 0; }' base
probe base_engine_include source '#include "engine/clock.h"
int P() { return 0; }' base
probe base_clock_gettime either '#include <time.h>
long P() { timespec t; clock_gettime(CLOCK_REALTIME, &t); return t.tv_sec; }' base
probe base_spelled_getenv objects 'extern "C" char* CALL_ENV(const char*) __asm__("get" "env");
const char* P() { return CALL_ENV("HOME"); }' base
probe base_mutable_global objects 'namespace tempus { int counter = 0; int Next() { return ++counter; } }' base

if [ $failures -ne 0 ]; then
  echo "$failures probe(s) not judged as expected"
  exit 1
fi
echo "all probes judged as expected"
