#!/usr/bin/env python3
"""Says, for the last ctest run in BUILD_DIR, which tests failed and the lines that say why.

scripts/test.sh prints this digest with its summary, at the very end of its output: a CI that
keeps only the head and tail of a long log then still shows which check of which test failed
(stop 20's and stop 21's CI kept the summary and one test's output, not the cluster tests').

test.sh runs ctest with `--repeat until-pass:2`, so a test fails the step only when it fails
twice; one that failed and then passed is listed here as flaky, with why its first run failed,
so that a flake is seen and fixed rather than hidden.

Usage: failed-tests-digest.py BUILD_DIR [MAX_LINES_PER_TEST]
"""
import pathlib
import re
import sys

# Lines that name a failed check: the shell tests' "FAIL" lines, gtest's "file:line: Failure" and
# the expectation after it, sanitizer reports, Python assertions, ctest's own timeout.
WHY = re.compile(
    r"FAIL|Failure|Expected|Which is|Value of|Actual:|error:|ERROR|AddressSanitizer|"
    r"runtime error|AssertionError|Traceback|Timeout|timed out|not synchronize|died")

# One run of one test in LastTest.log: "N/M Test: NAME" ... "<end of output>" ... "Test Passed."
# or "Test Failed." (or another verdict such as a timeout's).
RUN = re.compile(r"^\d+/\d+ Test: (?P<name>\S+)\n(?P<body>.*?)^<end of output>\n.*?^Test (?!time =)(?P<verdict>[^\n]*)$",
                 re.S | re.M)


def why_lines(body: str, limit: int) -> list[str]:
    # The test's output follows "Output:" and a line of dashes; before it, ctest's command line.
    body = body.split("Output:\n", 1)[-1]
    lines = [line for line in body.splitlines() if not line.startswith("-----")]
    why = [line.strip() for line in lines if WHY.search(line)]
    if not why:
        why = [line.strip() for line in lines if line.strip()][-3:] or ["(no output kept)"]
    out = [line[:200] for line in why[:limit]]
    if len(why) > limit:
        out.append(f"... {len(why) - limit} more")
    return out


def main() -> int:
    build = pathlib.Path(sys.argv[1])
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else 6
    log_file = build / "Testing" / "Temporary" / "LastTest.log"
    if not log_file.exists():
        return 0
    runs: dict[str, list[tuple[bool, str]]] = {}
    for m in RUN.finditer(log_file.read_text(errors="replace")):
        runs.setdefault(m.group("name"), []).append((m.group("verdict").startswith("Passed"), m.group("body")))
    for name, attempts in runs.items():
        if attempts[-1][0] and all(passed for passed, _ in attempts):
            continue
        first_failure = next(body for passed, body in attempts if not passed)
        if attempts[-1][0]:
            print(f"  {name}: FLAKY (failed, then passed when run again); the failed run said:")
            lines = why_lines(first_failure, 3)
        else:
            print(f"  {name}: FAILED ({len(attempts)} run(s)):")
            lines = why_lines(attempts[-1][1], limit)
        for line in lines:
            print(f"    {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
