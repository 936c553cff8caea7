#!/usr/bin/env python3
"""check-include-graph.py [--text | --dot] [ROOT]: the include graph keeps the layers.

Reads every #include "..." of src/, sim/ and apps/ under ROOT (default: this checkout) and checks,
at folder level, the layering of docs/architecture.md:

    apps -> {sim, obs, clock} -> engine -> core -> base;   {io, config, crypto} -> core -> base

  - each top folder includes only itself and the folders it is allowed (ALLOWED below): base
    nothing, core base only, io, config and crypto core and base (never engine, obs or apps), engine core
    and base; apps anything;
  - src/ and sim/ include by path from the project's include roots ("core/time/leap.h"), never
    relatively ("../x.h", "x.h"), and never tests/, fuzz/ or bench/ code;
  - the folders inside src/core form a DAG: a loop (core/a includes core/b, which includes
    core/a, directly or through others) is reported with the file:line of each include that
    closes it; nothing in core includes core/node/ (the top of the core), and core has no files
    outside a folder.
Prints every offending include as FILE:LINE and exits 1 when there is any.
--text prints the folder graphs as text (top folders, then core's folders in dependency order);
--dot prints them for Graphviz (`dot -Tsvg`). Both still exit 1 on a violation.
"""
import os
import re
import sys

# What each top folder may include besides itself. sim/ and apps/ live beside src/.
ALLOWED = {
    "base": set(),
    "core": {"base"},
    "engine": {"core", "base"},
    "io": {"core", "base"},
    "config": {"core", "base"},
    "crypto": {"core", "base"},
    "clock": {"engine", "core", "base"},
    "obs": {"engine", "core", "base"},
    "sim": {"engine", "core", "base", "config", "clock", "obs"},
    "apps": None,  # anything
}
# Project folders that are not layers of the product: nothing in src/ or sim/ may include them.
NOT_PRODUCT = {"tests", "testdata", "fuzz", "bench", "ntp_load", "cli", "apps"}
SCANNED = ("src", "sim", "apps")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def top_folder(rel):
    """'src/core/time/x.h' -> 'core'; 'sim/x.cc' -> 'sim'; 'apps/tempus/x.cc' -> 'apps'."""
    parts = rel.split("/")
    return parts[1] if parts[0] == "src" else parts[0]


def core_folder(path):
    """'core/time/x.h' -> 'time'; 'core/x.h' -> '' (outside a folder); None outside core."""
    parts = path.split("/")
    if parts[0] != "core":
        return None
    return parts[1] if len(parts) > 2 else ""


def find_loops(edges):
    """Strongly connected components of more than one folder (Tarjan), each sorted."""
    index, low, on_stack, stack, loops = {}, {}, set(), [], []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                loops.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return loops


def layers(nodes, edges):
    """Nodes grouped by height (the longest chain of includes below each); a loop ends last."""
    height, placed = {}, set()
    remaining = set(nodes)
    while remaining:
        ready = sorted(n for n in remaining if all(d in placed or d == n for d in edges.get(n, ())))
        if not ready:  # a loop: report what is left as one layer
            ready = sorted(remaining)
        for n in ready:  # the longest chain of includes below n
            height[n] = 1 + max((height[d] for d in edges.get(n, ()) if d in height and d != n), default=-1)
        placed.update(ready)
        remaining.difference_update(ready)
    out = {}
    for n, h in height.items():
        out.setdefault(h, []).append(n)
    return [sorted(out[h]) for h in sorted(out)]


def scan(root):
    """Returns (problems, top_edges, core_edges, core_folders); edges map a -> {b: "file:line"}."""
    problems, top_edges, core_edges, core_folders = [], {}, {}, set()
    for base in SCANNED:
        for dirpath, dirs, files in os.walk(os.path.join(root, base)):
            dirs.sort()
            for name in sorted(files):
                if not name.endswith((".h", ".cc")):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                here = top_folder(rel)
                if here not in ALLOWED:
                    problems.append(f"{rel}: src/{here}/ is not a known layer (add it to scripts/check-include-graph.py)")
                    continue
                src_core = core_folder(os.path.relpath(path, os.path.join(root, "src"))) if here == "core" else None
                if src_core == "":
                    problems.append(f"{rel}: core files live in a folder of core/ (core/<folder>/...)")
                if src_core:
                    core_folders.add(src_core)
                with open(path, encoding="utf-8") as f:
                    for number, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if m:
                            check_include(m.group(1), here, src_core, f"{rel}:{number}", problems, top_edges,
                                          core_edges)
    return problems, top_edges, core_edges, core_folders


def check_include(target, here, src_core, where, problems, top_edges, core_edges):
    first = target.split("/")[0]
    if here == "apps":
        if first in ALLOWED and first != "apps":
            top_edges.setdefault(here, {}).setdefault(first, where)
        return
    if "/" not in target or first in (".", ".."):
        problems.append(f"{where}: {here}/ includes \"{target}\": include by path from src/, never relatively")
        return
    if first in NOT_PRODUCT or first not in ALLOWED:
        problems.append(f"{where}: {here}/ may not include {target} (not product code)")
        return
    if first != here:
        top_edges.setdefault(here, {}).setdefault(first, where)
        if first not in ALLOWED[here]:
            problems.append(f"{where}: {here}/ may not include {target} ({here} may include: "
                            f"{', '.join(sorted(ALLOWED[here])) or 'nothing'})")
    if src_core is None:
        return
    dst_core = core_folder(target)
    if dst_core == "node" and src_core != "node":
        problems.append(f"{where}: core/{src_core}/ may not include {target} (core/node/ is the top of the core)")
    if src_core and dst_core and src_core != dst_core:
        core_edges.setdefault(src_core, {}).setdefault(dst_core, where)


def loop_problems(core_edges):
    edges = {a: set(b) for a, b in core_edges.items()}
    out = []
    for loop in find_loops(edges):
        links = [f"core/{a} -> core/{b} ({core_edges[a][b]})" for a in loop for b in sorted(edges.get(a, ()))
                 if b in loop]
        out.append("loop among core folders " + " ".join(loop) + ": " + ", ".join(links))
    return out


def print_text(top_edges, core_edges, core_folders):
    tops = sorted(set(ALLOWED) & (set(top_edges) | {b for v in top_edges.values() for b in v}))
    print("Top folders (src/<folder>, sim/, apps/), lowest first; each line: folder -> what it includes")
    for level, names in enumerate(layers(tops, {a: set(b) for a, b in top_edges.items()})):
        for n in names:
            print(f"  {level}  {n:<8} -> {', '.join(sorted(top_edges.get(n, {}))) or '(nothing)'}")
    print("Folders of src/core (core/<folder>), lowest first")
    for level, names in enumerate(layers(core_folders, {a: set(b) for a, b in core_edges.items()})):
        for n in names:
            print(f"  {level}  {n:<10} -> {', '.join(sorted(core_edges.get(n, {}))) or '(nothing)'}")


def print_dot(top_edges, core_edges, core_folders):
    print("digraph includes {")
    print("  rankdir=BT; node [shape=box, fontname=monospace];")
    for a in sorted(top_edges):
        for b in sorted(top_edges[a]):
            print(f'  "{a}" -> "{b}";')
    print('  subgraph cluster_core { label="src/core";')
    for n in sorted(core_folders):
        print(f'    "core/{n}";')
    for a in sorted(core_edges):
        for b in sorted(core_edges[a]):
            print(f'    "core/{a}" -> "core/{b}";')
    print("  }")
    print("}")


def main(argv):
    mode = None
    args = []
    for a in argv:
        if a in ("--text", "--dot"):
            mode = a
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            args.append(a)
    root = os.path.abspath(args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    problems, top_edges, core_edges, core_folders = scan(root)
    problems += loop_problems(core_edges)
    if mode == "--text":
        print_text(top_edges, core_edges, core_folders)
    elif mode == "--dot":
        print_dot(top_edges, core_edges, core_folders)
    for p in problems:
        print(p)
    if problems:
        print(f"error: {len(problems)} include problem(s): the layers are apps -> {{sim, obs, clock}} -> engine -> "
              "core -> base, {io, config} -> core -> base, and core's folders form a DAG "
              "(scripts/check-include-graph.py)", file=sys.stderr)
        return 1
    if mode is None:
        print(f"include graph: layers kept, {len(core_folders)} core folders without a loop")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
