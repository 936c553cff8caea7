#!/usr/bin/env python3
"""Two script tests that CTest may run at the same time must not bind the same loopback address.

The end-to-end tests start tempusd (and chronyd, ntpd, Python sockets) on fixed 127.0.0.N:PORT
endpoints. When two tests that run side by side under `ctest -j` use one endpoint, the second
daemon cannot bind, and the first one answers the second test's queries until it exits: the
test then fails far from the cause (CI run at cb1e0cb: cli.watch_redraw lost its server when
cli.cluster_skew's node 127.0.0.31:12331 stopped). This check lists every literal endpoint in
tests/**/*.sh and *.py and fails when one is named by two files that can overlap in time.

Files that cannot overlap with others are left out: tests/flood and tests/bench run alone
(RUN_SERIAL), tests/cluster runs each test in its own network namespace (as root; without root
the endpoints it shares need port 123, which it cannot bind), and the tests/interop scripts
share one RESOURCE_LOCK, so they may reuse endpoints among themselves.

Usage: check-test-addresses.py SOURCE_DIR   (exit 1 and one line per shared endpoint)
"""
import collections
import pathlib
import re
import sys

ENDPOINT = re.compile(r"\b127\.0\.0\.(\d{1,3}):(\d{2,5})\b")
ALONE = {"flood", "bench", "cluster"}
ONE_LOCK = {"interop"}


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    root = pathlib.Path(sys.argv[1])
    tests = root / "tests"
    users = collections.defaultdict(set)  # endpoint -> {(group, file)}
    for f in sorted(tests.rglob("*")):
        if f.suffix not in (".sh", ".py") or not f.is_file():
            continue
        group = f.relative_to(tests).parts[0]
        if group in ALONE:
            continue
        for m in ENDPOINT.finditer(f.read_text(errors="replace")):
            users[m.group(0)].add((group, f.relative_to(root).as_posix()))
    shared = 0
    for endpoint, files in sorted(users.items()):
        groups = {g for g, _ in files}
        if len(files) < 2 or (len(groups) == 1 and groups <= ONE_LOCK):
            continue
        shared += 1
        print(f"{endpoint} is bound by tests that may run at the same time: "
              + ", ".join(sorted(p for _, p in files)))
    if shared:
        print(f"{shared} shared endpoint(s); give each test its own 127.0.0.N:PORT")
        return 1
    print(f"{len(users)} endpoints, none shared between tests that may overlap")
    return 0


if __name__ == "__main__":
    sys.exit(main())
