#!/usr/bin/env python3
"""dist.man_pages: the man pages the build generated (dist/CMakeLists.txt) are clean roff, are
what scripts/gen-cli-docs.py makes of the current programs and docs (a stale page fails), and
say everything their sources say, checked against those sources read independently:
  - `mandoc -Tlint`, and groff with every warning on (as `man --warnings`), report nothing;
  - every option each program's --help lists (and every subcommand of tempus) is in its page;
  - every row of src/config/directive_status.cc (the table behind the reader's warnings) is an
    entry of tempus-ntp.conf(5) with the same status word.
"""
import os
import pathlib
import re
import subprocess
import sys
import tempfile

env = os.environ
TEMPUSD, TEMPUS = env["TEMPUSD"], env["TEMPUS"]
SOURCE, GEN = pathlib.Path(env["SOURCE_DIR"]), pathlib.Path(env["GEN_DIR"])
PAGES = ["tempusd.8", "tempus.1", "tempus-ntp.conf.5"]
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def run(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def rendered(page):
    """The page as a reader sees it (mandoc, plain ASCII, no overstrike)."""
    out = run("mandoc", "-Tascii", "-O", "width=400", str(GEN / "man" / page)).stdout
    return re.sub(r".\x08", "", out)


def help_options(*cmd):
    """The option names in the Options section of `cmd --help` (lines "  -c,--config TEXT ...")."""
    names = set()
    for line in run(*cmd, "--help").stdout.splitlines():
        m = re.match(r"  (-[^ ]+)", line)
        if m:
            names.update(n for n in m.group(1).split(",") if n.startswith("-"))
    return names


def help_subcommands():
    out = run(TEMPUS, "--help").stdout
    section = out.split("Subcommands:", 1)[1] if "Subcommands:" in out else ""
    return [m.group(1) for m in re.finditer(r"^  ([a-z]+) ", section, re.M)]


# 1. Lint.
if run("sh", "-c", "command -v mandoc").returncode != 0:
    fail("mandoc is not installed (scripts/install-deps.sh installs it)")
    sys.exit(1)
for page in PAGES:
    path = GEN / "man" / page
    if not path.exists():
        fail(f"{path} was not generated")
        continue
    lint = run("mandoc", "-Tlint", str(path))
    if lint.stdout.strip() or lint.stderr.strip() or lint.returncode != 0:
        fail(f"mandoc -Tlint {page}:\n{lint.stdout}{lint.stderr}")
    # man --warnings: groff's own warnings, at the default width and at a wide terminal's.
    for width in ("78n", "150n"):
        groff = run("groff", "-man", "-Tutf8", "-ww", "-z", f"-rLL={width}", str(path))
        if groff.stderr.strip() or groff.returncode != 0:
            fail(f"groff -ww {page} (line length {width}):\n{groff.stderr}")
if failures:
    sys.exit(1)

# 2. Not stale: the generator gives the same pages from the current programs and docs.
with tempfile.TemporaryDirectory() as tmp:
    gen = run("python3", str(SOURCE / "scripts/gen-cli-docs.py"), "--tempusd", TEMPUSD, "--tempus", TEMPUS,
              *env["GEN_FLAGS"].split(), "--out", tmp)
    if gen.returncode != 0:
        fail("gen-cli-docs.py failed: " + gen.stderr)
    for name in [f"man/{p}" for p in PAGES] + ["completion/tempus", "completion/tempusd"]:
        fresh, built = pathlib.Path(tmp) / name, GEN / name
        if not fresh.exists() or not built.exists() or fresh.read_text() != built.read_text():
            fail(f"{name} differs from what scripts/gen-cli-docs.py makes of the current sources (rebuild)")

# 3. Every option and subcommand of --help, in the page's OPTIONS (tempusd, tempus) and
#    SUBCOMMANDS (tempus) sections: the prose elsewhere names options too.
def sections(text):
    """{"OPTIONS": text, ...}: a section runs from its heading (a line in capitals at the left
    margin) to the next."""
    out, name = {}, ""
    for line in text.splitlines():
        if re.fullmatch(r"[A-Z][A-Z0-9 ,.()'-]*", line):
            name = line
            out[name] = ""
        else:
            out[name] = out.get(name, "") + line + "\n"
    return out


def has(text, name):
    return re.search(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", text) is not None


daemon_options = sections(rendered("tempusd.8")).get("OPTIONS", "")
for name in sorted(help_options(TEMPUSD)):
    if not has(daemon_options, name):
        fail(f"tempusd(8) OPTIONS lacks {name} (tempusd --help lists it)")
cli = sections(rendered("tempus.1"))
for name in sorted(help_options(TEMPUS)):
    if not has(cli.get("OPTIONS", ""), name):
        fail(f"tempus(1) OPTIONS lacks {name}")
subcommands = help_subcommands()
if not subcommands:
    fail("tempus --help lists no subcommands")
# SUBCOMMANDS: one subsection a subcommand, headed "   tempus NAME".
parts = re.split(r"^   tempus ([a-z]+)\n", cli.get("SUBCOMMANDS", ""), flags=re.M)
by_sub = dict(zip(parts[1::2], parts[2::2]))
for sub in subcommands:
    if sub not in by_sub:
        fail(f"tempus(1) has no subsection for the subcommand {sub}")
        continue
    for name in sorted(help_options(TEMPUS, sub)):
        if not has(by_sub[sub], name):
            fail(f"tempus(1) lacks {name} of tempus {sub}")

# 4. Every directive row with its status. The rows, read straight from the C++ table:
#    {"tos ceiling", kWarned, ...
table = (SOURCE / "src/config/directive_status.cc").read_text()
rows = re.findall(r'^\s*\{"([^"]+)",\s*k(Supported|Warned|Error)\b', table, re.M)
if len(rows) < 50:
    fail(f"read only {len(rows)} rows from directive_status.cc")
# The entries of the page: ".PP" (or the heading), the keys (bold) and arguments, ".RS", the
# meaning, "Status: <word>", ".RE". Source lines were cut at spaces.
roff = (GEN / "man/tempus-ntp.conf.5").read_text()
entries = []
for m in re.finditer(r"^\.(?:PP|SH [A-Z ]+)\n((?:[^.\n][^\n]*\n)+)\.RS\n(.*?)\n\.RE$", roff, re.M | re.S):
    head = m.group(1).replace("\n", " ")
    keys = {k.replace("\\-", "-").replace("\\:", "") for k in re.findall(r"\\fB(.+?)\\fR", head)}
    status = re.search(r"^Status: \\fB(\w+)\\fR", m.group(2), re.M)
    if status:
        entries.append((keys, status.group(1)))
for key, status in rows:
    found = [s for keys, s in entries if key in keys]
    if not found:
        fail(f"tempus-ntp.conf(5) has no entry for '{key}'")
    elif status.lower() not in found:
        fail(f"tempus-ntp.conf(5): '{key}' is {found}, the table says {status.lower()}")

print(f"dist.man_pages: {len(rows)} directive rows, {len(subcommands)} subcommands checked; "
      + ("FAILED" if failures else "ok"))
sys.exit(1 if failures else 0)
