#!/usr/bin/env python3
"""gen-cli-docs.py: the man pages and bash completions of tempus, from their one source.

    scripts/gen-cli-docs.py --tempusd BIN --tempus BIN --out DIR [--sysconfdir /etc] [--statedir /var/lib]

Writes DIR/man/tempusd.8, DIR/man/tempus.1, DIR/man/tempus-ntp.conf.5 and
DIR/completion/tempusd, DIR/completion/tempus. The options, subcommands and exit statuses come
from the programs' own CLI11 definitions (`--describe-cli`, apps/cli/describe.h), so a page
cannot say anything `--help` does not; the prose comes from docs/tempusd.md and
docs/ntp.conf.md (whose directive table tests/config/directive_status_test.cc keeps equal to
src/config/directive_status.cc), turned into roff by the small Markdown subset below. The build
runs this (dist/CMakeLists.txt); tests/dist/man_pages.py checks the result. Python 3 standard
library only; the output depends on nothing but the inputs (no dates), so it is reproducible.
"""
import argparse
import json
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent

# Documents that have a man page: links to them name the page instead.
MAN_OF_DOC = {"ntp.conf.md": "tempus-ntp.conf(5)", "tempusd.md": "tempusd(8)"}


# ---------------------------------------------------------------------------------------------
# roff text

def esc(text):
    """Escapes plain text for roff: backslashes, and characters outside ASCII as \\[uXXXX]."""
    out = []
    for ch in text.replace("\\", "\\e"):
        out.append(ch if ord(ch) < 128 else "\\[u%04X]" % ord(ch))
    return "".join(out)


def lit(text):
    """Literal text (a command, an option, a file): escaped, '-' as the ASCII minus \\-, and a
    break point (\\:) after each '|' and ',' so that a long metric name with its labels can wrap."""
    return esc(text).replace("-", "\\-").replace("|", "|\\:").replace(",", ",\\:")


def inline(md):
    """One line or paragraph of Markdown inline syntax as roff text."""
    out = []
    pos = 0
    pattern = re.compile(r"`([^`]+)`|\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)]+)\)")
    for m in pattern.finditer(md):
        out.append(esc(md[pos:m.start()]))
        if m.group(1) is not None:
            out.append("\\fB" + lit(m.group(1)) + "\\fR")
        elif m.group(2) is not None:
            out.append("\\fB" + esc(m.group(2)) + "\\fR")
        else:
            text, target = m.group(3), m.group(4)
            doc = target.split("#")[0]
            if doc in MAN_OF_DOC and text == doc:
                page = MAN_OF_DOC[doc]
                out.append("\\fB" + page.split("(")[0] + "\\fR(" + page.split("(")[1])
            elif text.endswith(".md"):
                out.append("docs/" + esc(text))
            else:
                out.append(esc(text))
        pos = m.end()
    out.append(esc(md[pos:]))
    return "".join(out)


def text_lines(roff):
    """Breaks roff text into source lines of at most ~78 bytes at spaces (mandoc -Tlint asks for
    short lines); a line that would start with a control character gets a zero-width \\& first."""
    lines = []
    for para in roff.split("\n"):
        words = para.split(" ")
        line = ""
        for w in words:
            if line and len(line) + 1 + len(w) > 78:
                lines.append(line)
                line = w
            else:
                line = w if not line else line + " " + w
        lines.append(line)
    return ["\\&" + l if l[:1] in (".", "'") else l for l in lines if l != ""]


def release_date():
    """The date of the newest debian/changelog entry (the release), so that the pages do not
    change with the day they are built on."""
    import email.utils
    for line in (ROOT / "debian/changelog").read_text().splitlines():
        if line.startswith(" -- "):
            return email.utils.parsedate_to_datetime(line.split(">", 1)[1].strip()).strftime("%Y-%m-%d")
    return ""


class Page:
    def __init__(self, name, section, title):
        self.lines = ['.TH %s %s %s "tempus %s" "%s"' % (name.upper(), section, release_date(), VERSION, title),
                      # Left-aligned: long option and metric names leave no stretched lines.
                      ".ad l"]

    def sh(self, title):
        self.lines.append(".SH " + esc(title.upper()))

    def ss(self, title):
        self.lines.append('.SS "%s"' % esc(title).replace('"', "\\(dq"))

    def para(self):
        """Starts a paragraph, unless a heading or a tag just did."""
        if not (self.lines[-1].startswith((".SH", ".SS", ".TP", ".IP")) or self.lines[-1] == ".PP"):
            self.lines.append(".PP")

    def pp(self, roff):
        self.para()
        self.lines += text_lines(roff)

    def raw(self, *lines):
        self.lines += lines

    def text(self, roff):
        self.lines += text_lines(roff)

    def name(self, name, what):
        """The NAME section: "name \\- what" (roff text)."""
        self.sh("Name")
        self.raw(lit(name) + " \\- " + what)
        self.sh("Synopsis")

    def see_also(self, *pages):
        """The SEE ALSO section from "name(section)" references."""
        self.sh("See also")
        self.text(", ".join("\\fB" + lit(p.split("(")[0]) + "\\fR(" + p.split("(")[1] for p in pages))

    def render(self):
        return "\n".join(self.lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Markdown (the subset docs/ uses): headings, paragraphs, bullet lists two levels deep, fenced
# code blocks, tables.

def md_blocks(md):
    """The blocks of md as (kind, data): ('h', (level, text)), ('p', text), ('li', (depth, text)),
    ('code', lines), ('table', rows)."""
    blocks = []
    para = []  # lines of the paragraph being read
    item = None  # (depth, lines) of the list item being read

    def flush():
        nonlocal para, item
        if para:
            blocks.append(("p", " ".join(l.strip() for l in para)))
            para = []
        if item is not None:
            blocks.append(("li", (item[0], " ".join(item[1]))))
            item = None

    lines = md.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if line.startswith("```"):
            flush()
            code = []
            while i < len(lines) and not lines[i].startswith("```"):
                code.append(lines[i])
                i += 1
            i += 1
            blocks.append(("code", code))
        elif re.match(r"#{1,6} ", line):
            flush()
            level = len(line) - len(line.lstrip("#"))
            blocks.append(("h", (level, line[level:].strip())))
        elif line.startswith("|"):
            flush()
            rows = [split_row(line)]
            while i < len(lines) and lines[i].startswith("|"):
                rows.append(split_row(lines[i]))
                i += 1
            blocks.append(("table", [r for r in rows if not all(re.fullmatch(r"\s*-+\s*", c) for c in r)]))
        elif re.match(r"\s*- ", line):
            flush()
            depth = (len(line) - len(line.lstrip())) // 2
            item = (depth, [line.lstrip()[2:].strip()])
        elif line.strip() == "":
            flush()
        elif item is not None:
            item[1].append(line.strip())
        else:
            para.append(line)
    flush()
    return blocks


def split_row(line):
    """The cells of a Markdown table row; `\\|` is a literal bar."""
    cells = re.split(r"(?<!\\)\|", line.strip()[1:-1])
    return [c.strip().replace("\\|", "|") for c in cells]


def render_md(page, md, top_sections, skip_title=True):
    """Renders Markdown into page: '#' is skipped (the page has its own NAME), '##' becomes a
    section (.SH) when top_sections, else a subsection (.SS); '###' a subsection."""
    for kind, data in md_blocks(md):
        if kind == "h":
            level, title = data
            if level == 1 and skip_title:
                continue
            if level == 2 and top_sections:
                page.sh(title)
            else:
                page.ss(title)
        elif kind == "p":
            page.pp(inline(data))
        elif kind == "li":
            depth, text = data
            page.raw(".RS" if depth else ".IP \\(bu 2")
            if depth:
                page.raw(".IP \\(bu 2")
            page.text(inline(text))
            if depth:
                page.raw(".RE")
        elif kind == "code":
            page.raw(".PP", ".EX")
            page.raw(*[("\\&" if l[:1] in (".", "'") else "") + esc(l) for l in data])
            page.raw(".EE")
        elif kind == "table":
            render_directive_table(page, data)


def render_directive_table(page, rows):
    """docs/ntp.conf.md's directive table: for each row a paragraph with the keys in bold and the
    arguments, then, indented, the meaning and the status."""
    header = [h.lower() for h in rows[0]]
    for row in rows[1:]:
        cell = dict(zip(header, row))
        keys = re.findall(r"`([^`]+)`", cell.get("directive", ""))
        rest = re.sub(r"`[^`]+`(,\s*)?", "", cell.get("directive", "")).strip()
        tag = ", ".join("\\fB" + lit(k) + "\\fR" for k in keys)
        if rest:
            tag += " " + inline(rest)
        if cell.get("arguments"):
            tag += " \\(em " + inline(cell["arguments"])
        page.para()
        page.text(tag)
        page.raw(".RS")
        if cell.get("meaning"):
            page.text(inline(cell["meaning"]))
            page.raw(".br")
        # "supported", "warned: ...", "**error**: ...", "supported for `peerstats` ...".
        m = re.match(r"\**(\w+)\**(.*)", cell.get("tempus status", ""), re.S)
        word, note = (m.group(1), m.group(2)) if m else ("", "")
        page.text("Status: \\fB" + esc(word) + "\\fR" + inline(note))
        page.raw(".RE")


# ---------------------------------------------------------------------------------------------
# Command-line descriptions

def describe(binary):
    out = subprocess.run([binary, "--describe-cli"], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def value_of(option):
    """The metavariable shown after an option: CLI11's type up to its validator ("INT")."""
    return option["type"].split(":")[0] if option["takes_value"] else ""


def choices_of(option):
    m = re.search(r"\{([^}]*)\}", option["type"])
    return m.group(1).split(",") if m else []


def validator_of(option):
    """The validator part of CLI11's type ("INT in [3 - 17]"), if any and not a list of choices."""
    kind, _, rule = option["type"].partition(":")
    if not rule or rule.startswith("{"):
        return ""
    return rule


def option_tag(option):
    names = ", ".join("\\fB" + lit(n) + "\\fR" for n in option["names"])
    value = value_of(option)
    if value:
        names += " \\fI" + lit(value) + "\\fR"
        if option["repeatable"]:
            names += " ..."
    return names


def option_text(option):
    text = inline(option["description"])
    extra = []
    choices = choices_of(option)
    if choices:
        extra.append("one of " + ", ".join("\\fB" + lit(c) + "\\fR" for c in choices))
    rule = validator_of(option)
    if rule:
        extra.append(esc(rule))
    if option["default"]:
        extra.append("default \\fB" + lit(option["default"]) + "\\fR")
    if option["repeatable"] and "repeatable" not in option["description"]:
        extra.append("repeatable")
    if extra:
        text += " (" + "; ".join(extra) + ")"
    return text


def render_options(page, app):
    for option in app["options"]:
        page.raw(".TP")
        page.text(option_tag(option))
        page.text(option_text(option))


def usage(prog, app):
    parts = ["\\fB" + lit(prog) + "\\fR"]
    if app["options"]:
        parts.append("[\\fIOPTIONS\\fR]")
    for p in app["positionals"]:
        name = "\\fI" + lit(p["name"]) + "\\fR" + (" ..." if p["repeatable"] else "")
        parts.append(name if p["required"] else "[" + name + "]")
    return " ".join(parts)


def exit_statuses(footer):
    """'Exit status: 0 ok, 1 usage error, ...' as [(code, meaning)]."""
    m = re.search(r"Exit status:(.*)", footer)
    if not m:
        return []
    return re.findall(r"(\d+) ([^,.]+)", m.group(1))


def first_sentence(desc):
    """The NAME line: the description after "program: "."""
    return desc.split(": ", 1)[1] if ": " in desc else desc


# ---------------------------------------------------------------------------------------------
# The pages

def tempusd_page(cli, dirs):
    page = Page("tempusd", 8, "System Administration")
    page.name("tempusd", esc(first_sentence(cli["description"])))
    page.text(usage("tempusd", cli))
    page.sh("Description")
    md = (ROOT / "docs/tempusd.md").read_text()
    intro, _, body = md.partition("\n## ")
    render_md(page, intro, top_sections=True)
    page.pp("tempusd reads a configuration file only when told: \\fB\\-c\\fR \\fIFILE\\fR. "
            "The packaged unit tempusd.service runs \\fBtempusd \\-c " + lit(dirs.sysconfdir) +
            "/tempus/ntp.conf\\fR; \\fB/etc/ntp.conf\\fR is read only when named.")
    page.sh("Options")
    render_options(page, cli)
    if cli["footer"]:
        page.pp(inline(cli["footer"]))
    render_md(page, "## " + body, top_sections=True)
    page.sh("Files")
    for path, what in ((dirs.sysconfdir + "/tempus/ntp.conf", "the configuration the systemd unit passes with -c"),
                       (dirs.statedir + "/tempus/tempus.drift", "the driftfile of that configuration")):
        page.raw(".TP", "\\fB" + lit(path) + "\\fR")
        page.text(esc(what))
    page.see_also("tempus(1)", "tempus-ntp.conf(5)", "ntpq(1)", "ntpd(8)", "chronyd(8)", "systemd.service(5)")
    return page.render()


def tempus_page(cli):
    page = Page("tempus", 1, "User Commands")
    page.name("tempus", esc(first_sentence(cli["description"])))
    page.text(usage("tempus", cli) + " \\fISUBCOMMAND\\fR ...")
    for sub in cli["subcommands"]:
        page.raw(".br")
        page.text(usage("tempus " + sub["name"], sub))
    page.sh("Description")
    page.pp("The operator's tool of tempus: one subcommand for each task, below. "
            "\\fBtempus\\fR \\fISUBCOMMAND\\fR \\fB\\-\\-help\\fR prints a subcommand's options, "
            "all of which are listed here too.")
    page.sh("Options")
    render_options(page, cli)
    page.sh("Subcommands")
    for sub in cli["subcommands"]:
        page.ss("tempus " + sub["name"])
        page.text(usage("tempus " + sub["name"], sub))
        page.pp(inline(sub["description"]) + ".")
        for p in sub["positionals"]:
            page.raw(".TP", "\\fI" + lit(p["name"]) + "\\fR" + (" ..." if p["repeatable"] else ""))
            page.text(option_text(p))
        render_options(page, sub)
    statuses = exit_statuses(cli["footer"])
    if statuses:
        page.sh("Exit status")
        page.pp("The same condition gives the same status in every subcommand.")
        for code, meaning in statuses:
            page.raw(".TP", code)
            page.text(esc(meaning.strip()))
    page.see_also("tempusd(8)", "tempus-ntp.conf(5)", "ntpq(1)", "ntpdate(8)", "chronyc(1)")
    return page.render()


def ntp_conf_page(dirs):
    page = Page("tempus-ntp.conf", 5, "File Formats")
    page.name("tempus-ntp.conf", "ntp.conf for tempusd: every directive and its status")
    page.text("\\fB" + lit(dirs.sysconfdir) + "/tempus/ntp.conf\\fR")
    page.sh("Description")
    md = (ROOT / "docs/ntp.conf.md").read_text()
    render_md(page, md, top_sections=True)
    page.sh("Examples")
    page.pp("The configuration the package installs as \\fB" + lit(dirs.sysconfdir) + "/tempus/ntp.conf\\fR:")
    page.raw(".PP", ".EX")
    page.raw(*[("\\&" if l[:1] in (".", "'") else "") + esc(l) for l in (ROOT / "dist/ntp.conf").read_text().splitlines()])
    page.raw(".EE")
    page.see_also("tempusd(8)", "tempus(1)", "ntp.conf(5)", "ntp.keys(5)")
    return page.render()


# ---------------------------------------------------------------------------------------------
# bash completion

def is_file_option(option):
    text = (" ".join(option["names"]) + " " + option.get("name", "") + " " + option["description"]).lower()
    return "config" in text or " file" in text or "scenario" in text


def is_host(option):
    return "host" in option["description"].lower() or "address" in option["description"].lower()


def value_completion(option):
    """The bash command that fills COMPREPLY for an option's value or a positional."""
    choices = choices_of(option)
    if choices:
        return 'COMPREPLY=($(compgen -W "%s" -- "$cur"))' % " ".join(choices)
    if is_file_option(option):
        return 'compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur"))'
    if is_host(option):
        return 'COMPREPLY=($(compgen -A hostname -- "$cur"))'
    return "COMPREPLY=()"


def completion(prog, cli):
    fn = "_" + prog
    apps = [("", cli)] + [(s["name"], s) for s in cli["subcommands"]]
    sub_names = " ".join(s["name"] for s in cli["subcommands"])
    out = [
        "# bash completion for %s: generated by scripts/gen-cli-docs.py from `%s --describe-cli`." % (prog, prog),
        "%s() {" % fn,
        '  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} sub="" i',
        "  # --opt=value: bash splits it at '='.",
        '  if [[ $cur == "=" ]]; then cur=""; prev=${COMP_WORDS[COMP_CWORD-1]}; fi',
        '  if [[ $prev == "=" ]]; then prev=${COMP_WORDS[COMP_CWORD-2]}; fi',
    ]
    if sub_names:
        out += [
            "  for ((i = 1; i < COMP_CWORD; i++)); do",
            '    case ${COMP_WORDS[i]} in %s) sub=${COMP_WORDS[i]}; break ;; esac' % sub_names.replace(" ", "|"),
            "  done",
        ]
    out.append('  case "$sub $prev" in')
    for name, app in apps:
        for option in app["options"]:
            if option["takes_value"]:
                pattern = "|".join('"%s %s"' % (name, n) for n in option["names"])
                out.append("    %s) %s; return ;;" % (pattern, value_completion(option)))
    out.append("  esac")
    out.append('  case "$sub" in')
    for name, app in apps:
        words = [n for o in app["options"] for n in o["names"]]
        out.append('    "%s")' % name)
        out.append('      if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "%s" -- "$cur")); return; fi' % " ".join(words))
        if name == "" and sub_names:
            out.append('      COMPREPLY=($(compgen -W "%s" -- "$cur")) ;;' % sub_names)
        elif app["positionals"]:
            out.append("      %s ;;" % value_completion(app["positionals"][0]))
        else:
            out.append("      COMPREPLY=() ;;")
    out += ["  esac", "}", "complete -F %s %s" % (fn, prog), ""]
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------

def main():
    global VERSION
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tempusd", required=True)
    ap.add_argument("--tempus", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--version", required=True, help="the project version (CMake's PROJECT_VERSION)")
    ap.add_argument("--sysconfdir", default="/etc")
    ap.add_argument("--statedir", default="/var/lib")
    args = ap.parse_args()
    VERSION = args.version
    out = pathlib.Path(args.out)
    (out / "man").mkdir(parents=True, exist_ok=True)
    (out / "completion").mkdir(parents=True, exist_ok=True)
    daemon, cli = describe(args.tempusd), describe(args.tempus)
    files = {
        "man/tempusd.8": tempusd_page(daemon, args),
        "man/tempus.1": tempus_page(cli),
        "man/tempus-ntp.conf.5": ntp_conf_page(args),
        "completion/tempusd": completion("tempusd", daemon),
        "completion/tempus": completion("tempus", cli),
    }
    for name, text in files.items():
        (out / name).write_text(text)
    return 0


VERSION = ""

if __name__ == "__main__":
    sys.exit(main())
