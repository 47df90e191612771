#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Mutation score of the harness: how many lexical mutants of core/ it kills.

Samples lexical mutants of core/ with a fixed seed, applies them one at a time
to a private copy of the checkout (WORK/src; the checkout itself is never
touched), rebuilds incrementally (presets libfuzzer and dev), and runs the
suite stage by stage against each mutant:

  replay   replay_<target> over the seeds (corpus/<target>/) and the
           regression inputs (corpus/regressions/, no bug switch)
  fuzz     libFuzzer from the seeds, fixed -seed and -runs, each machine target
  regress  slabfuzz regress: each regression input still gives its title with
           its bug switch and runs clean without it
  unit     ctest -L unit of the dev preset (ASan+UBSan)

A stage stops at its first kill; later stages are not run once a mutant is
killed (recorded as not run). Every child runs in its own session with a
timeout and is killed with its whole process group: a hang is a kill.
"Fuzz targets alone" is replay + fuzz; "whole suite" adds regress and unit.

Results (WORK must not exist, unless --resume):
  WORK/mutants.jsonl   the sampled mutants (id, file, line, op, orig, mutated)
  WORK/results.jsonl   one JSON object per mutant, appended as it finishes
  WORK/results.tsv     the same as a table
  WORK/summary.txt     the denominator, both scores and the survivors
  WORK/logs/<id>-<stage>.log   the log of each killing run
"""
import argparse
import glob
import hashlib
import json
import os
import random
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time

DEFAULT_SEED = 20261201
DEFAULT_FILES = ["core/*.c", "core/*.h"]
STAGES = ["replay", "fuzz", "regress", "unit"]
FUZZ_STAGES = {"replay", "fuzz"}
OPS = ["rel", "arith", "bitwise", "logic", "const", "negate", "delete", "return"]

# ---------------------------------------------------------------- lexer

PUNCT = sorted("""... <<= >>= -> ++ -- << >> <= >= == != && || *= /= %= += -= &= ^= |= ##
               [ ] ( ) { } . & * + - ~ ! / % < > ^ | ? : ; = , #""".split(),
               key=len, reverse=True)
KEYWORDS = set("""auto break case char const continue default do double else enum extern
               float for goto if inline int long register restrict return short signed
               sizeof static struct switch typedef union unsigned void volatile while
               _Bool _Noreturn _Static_assert _Alignof _Alignas _Atomic _Thread_local
               bool true false __attribute__ NULL""".split())
TYPE_WORDS = set("""char const double enum float int long short signed struct union
                 unsigned void volatile bool _Bool""".split())
DECL_START = TYPE_WORDS | {"static", "extern", "register", "typedef", "inline",
                           "_Static_assert", "auto", "_Atomic", "_Alignas"}
ASSIGN = {"=", "*=", "/=", "%=", "+=", "-=", "&=", "^=", "|=", "<<=", ">>="}
RE_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
RE_NUMBER = re.compile(r"\.?[0-9](?:[eEpP][+-]|[0-9A-Za-z_.])*")
RE_INT = re.compile(r"^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)([uUlL]*)$")


class Tok:
    __slots__ = ("kind", "text", "start", "end", "line", "active", "region", "func")

    def __init__(self, kind, text, start, end, line):
        self.kind, self.text, self.start, self.end, self.line = kind, text, start, end, line
        self.active = True
        self.region = None      # "func" (function body) | "init" (top-level initializer)
        self.func = None        # return category of the enclosing function

    def __repr__(self):
        return "%s:%r@%d" % (self.kind, self.text, self.line)


def lex(src):
    """C tokens of src; comments dropped, strings and preprocessor lines kept whole."""
    toks = []
    i, n, line, bol = 0, len(src), 1, True
    while i < n:
        c = src[i]
        if c == "\n":
            line += 1
            i += 1
            bol = True
            continue
        if c in " \t\r\f\v":
            i += 1
            continue
        if src.startswith("\\\n", i):
            i += 2
            line += 1
            continue
        if src.startswith("//", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
            continue
        if src.startswith("/*", i):
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
            line += src.count("\n", i, j)
            i = j
            continue
        if c == "#" and bol:
            j = i
            while True:
                k = src.find("\n", j)
                if k < 0:
                    k = n
                    break
                if src[k - 1] == "\\":
                    j = k + 1
                    continue
                break
            toks.append(Tok("pp", src[i:k], i, k, line))
            line += src.count("\n", i, k)
            i = k
            continue
        bol = False
        if c in "\"'":
            j = i + 1
            while j < n and src[j] != c:
                if src[j] == "\\":
                    j += 1
                if src[j] == "\n":
                    line += 1
                j += 1
            j = min(j + 1, n)
            toks.append(Tok("str", src[i:j], i, j, line))
            i = j
            continue
        m = RE_NUMBER.match(src, i) if (c.isdigit() or (c == "." and i + 1 < n and src[i + 1].isdigit())) else None
        if m:
            toks.append(Tok("num", m.group(), i, m.end(), line))
            i = m.end()
            continue
        m = RE_IDENT.match(src, i)
        if m:
            toks.append(Tok("id", m.group(), i, m.end(), line))
            i = m.end()
            continue
        for p in PUNCT:
            if src.startswith(p, i):
                toks.append(Tok("p", p, i, i + len(p), line))
                i += len(p)
                break
        else:
            toks.append(Tok("p", c, i, i + 1, line))
            i += 1
    return toks


def mark_active(toks):
    """Tokens under a preprocessor conditional (other than the include guard) are
    inactive: they compile only in some configurations, so they are not mutated.
    Returns the tokens without the preprocessor lines."""
    pps = [t for t in toks if t.kind == "pp"]
    guard = None
    if len(pps) >= 2:
        a = re.match(r"#\s*ifndef\s+(\w+)\s*$", pps[0].text)
        b = re.match(r"#\s*define\s+(\w+)\s*$", pps[1].text)
        if a and b and a.group(1) == b.group(1):
            guard = pps[0]
    stack = []
    out = []
    for t in toks:
        if t.kind == "pp":
            d = t.text[1:].lstrip().split(None, 1)
            d = d[0] if d else ""
            if d in ("if", "ifdef", "ifndef"):
                stack.append(t is guard)
            elif d in ("elif", "else"):
                if stack:
                    stack[-1] = False
            elif d == "endif":
                if stack:
                    stack.pop()
            continue
        t.active = all(stack)
        out.append(t)
    return out


BRACKETS = {"(": ")", "[": "]", "{": "}", ")": "(", "]": "[", "}": "{"}


def match_bracket(toks, i):
    """Index of the bracket matching toks[i] (forward from an opening one,
    backward from a closing one), or None."""
    o = toks[i].text
    c = BRACKETS[o]
    step = 1 if o in "([{" else -1
    depth = 0
    j = i
    while 0 <= j < len(toks):
        if toks[j].kind == "p" and toks[j].text == o:
            depth += 1
        elif toks[j].kind == "p" and toks[j].text == c:
            depth -= 1
            if depth == 0:
                return j
        j += step
    return None


def return_category(header):
    """void | bool | ptr | int | other, from the tokens before a function's name."""
    words = [t.text for t in header if t.text not in
             ("static", "inline", "extern", "_Noreturn", "const")]
    if "__attribute__" in words:
        return "other"
    if "*" in words:
        return "ptr"
    if words == ["void"]:
        return "void"
    if words in (["bool"], ["_Bool"]):
        return "bool"
    if words and words[0] in ("struct", "union"):
        return "other"
    return "int"


def mark_regions(toks):
    """Region of each token: function bodies and top-level initializers.
    Returns [(body_open, body_close, category)] of the functions."""
    funcs = []
    i, n, decl = 0, len(toks), 0
    while i < n:
        t = toks[i]
        if t.kind == "p" and t.text in (";", "}"):
            decl = i + 1
        elif t.kind == "p" and t.text == "(":
            j = match_bracket(toks, i)
            i = j if j is not None else n
        elif t.kind == "p" and t.text == "=":
            j = i + 1
            depth = 0
            while j < n and not (depth == 0 and toks[j].text == ";" and toks[j].kind == "p"):
                if toks[j].text in ("(", "[", "{"):
                    depth += 1
                elif toks[j].text in (")", "]", "}"):
                    depth -= 1
                toks[j].region = "init"
                j += 1
            i, decl = j, j + 1
        elif t.kind == "p" and t.text == "{":
            j = match_bracket(toks, i)
            if j is None:
                break
            if i > 0 and toks[i - 1].text == ")":
                header = toks[decl:i]
                name = None
                for k, h in enumerate(header):
                    if h.text == "(":
                        name = k - 1
                        break
                cat = return_category(header[:name]) if name and name > 0 else "other"
                for k in range(i + 1, j):
                    toks[k].region = "func"
                    toks[k].func = cat
                funcs.append((i, j, cat))
            i, decl = j, j + 1
            continue
        i += 1
    return funcs


def is_cast_close(toks, i):
    """toks[i] is ')' closing a cast like (size_t) or (struct page *)."""
    j = match_bracket(toks, i)
    if j is None or j == i - 1:
        return False
    if j > 0 and (toks[j - 1].kind == "id" and toks[j - 1].text not in ("return",)):
        return False    # sizeof(type), a call f(x), a macro
    inner = toks[j + 1:i]
    if not all(t.kind == "id" or t.text == "*" for t in inner):
        return False
    first = inner[0].text
    return first in TYPE_WORDS or first.endswith("_t")


def is_operand_end(toks, i):
    """toks[i] ends an operand, so an operator after it is binary."""
    if i < 0:
        return False
    t = toks[i]
    if t.kind in ("num", "str"):
        return True
    if t.kind == "id":
        return t.text not in KEYWORDS or t.text in ("true", "false", "NULL")
    if t.text == "]":
        return True
    if t.text == ")":
        return not is_cast_close(toks, i)
    return False


def statement_starts(toks, lo, hi):
    """Token indexes in (lo, hi) where a statement can start, in a function body."""
    starts = {lo + 1}
    paren = 0
    i = lo + 1
    while i < hi:
        t = toks[i]
        if t.kind == "p":
            if t.text == "(":
                paren += 1
            elif t.text == ")":
                paren -= 1
            elif paren == 0 and t.text in ("{", "}", ";"):
                starts.add(i + 1)
        elif t.text in ("if", "while", "for", "switch") and i + 1 < hi and toks[i + 1].text == "(":
            j = match_bracket(toks, i + 1)
            if j is not None and j < hi:
                starts.add(j + 1)
        elif t.text in ("else", "do"):
            starts.add(i + 1)
        i += 1
    # labels, case and default: the statement begins after the ':'
    work = sorted(starts)
    for s in work:
        if s >= hi:
            continue
        t = toks[s]
        if t.text in ("case", "default"):
            for k in range(s + 1, hi):
                if toks[k].text == ":":
                    starts.add(k + 1)
                    work.append(k + 1)
                    break
                if toks[k].text in (";", "{", "}"):
                    break
        elif t.kind == "id" and t.text not in KEYWORDS and s + 1 < hi and toks[s + 1].text == ":":
            starts.add(s + 2)
            work.append(s + 2)
    return sorted(s for s in starts if s < hi)


def statement_end(toks, s, hi):
    """Index of the ';' ending the simple statement at s, or None."""
    depth = 0
    for k in range(s, hi):
        x = toks[k]
        if x.kind != "p":
            continue
        if x.text in ("(", "["):
            depth += 1
        elif x.text in (")", "]"):
            depth -= 1
            if depth < 0:
                return None
        elif x.text in ("{", "}"):
            return None
        elif x.text == ";" and depth == 0:
            return k
    return None


def is_declaration(toks, s):
    t = toks[s]
    if t.text in DECL_START:
        return True
    if t.kind == "id" and t.text not in KEYWORDS:
        nxt = toks[s + 1] if s + 1 < len(toks) else None
        if nxt is not None and nxt.kind == "id":
            return True         # size_t n ...
        if nxt is not None and nxt.text == "*":
            k = s + 1
            while k < len(toks) and toks[k].text == "*":
                k += 1
            if k < len(toks) and toks[k].kind == "id" and k + 1 < len(toks) and \
                    toks[k + 1].text in ("=", ";", ",", "["):
                return True     # foo_t *p = ...
    return False


def text_of(src, a, b):
    return " ".join(src[a:b].split())


def expect_hints(toks):
    """Indices of the tokens of __builtin_expect's second argument (the value the
    compiler is told to expect): changing it moves code, never behaviour, so a
    mutant there is equivalent by construction and is not generated."""
    out = set()
    for i, t in enumerate(toks):
        if t.text != "__builtin_expect" or i + 1 >= len(toks) or toks[i + 1].text != "(":
            continue
        j = match_bracket(toks, i + 1)
        if j is None:
            continue
        depth, comma = 0, None
        for k in range(i + 2, j):
            if toks[k].text in ("(", "[", "{"):
                depth += 1
            elif toks[k].text in (")", "]", "}"):
                depth -= 1
            elif toks[k].text == "," and depth == 0:
                comma = k
        if comma is not None:
            out.update(range(comma + 1, j))
    return out


def candidates(relpath, src):
    """Every candidate mutant of one file, in source order."""
    toks = mark_active(lex(src))
    funcs = mark_regions(toks)
    out = []
    nodecl = set()

    def add(op, a, b, repl, line):
        orig = src[a:b]
        # keep the line count, so __LINE__ and later lines do not move
        repl = repl + "\n" * orig.count("\n")
        out.append({"file": relpath, "line": line, "op": op, "start": a, "end": b,
                    "orig": text_of(src, a, b), "mutated": " ".join(repl.split()),
                    "repl": repl})

    def ok(*idx):
        return all(toks[k].active and toks[k].region for k in idx)

    # statements: deletion, negated conditions, return values, declarators
    for lo, hi, cat in funcs:
        if not toks[lo].active:
            continue
        for s in statement_starts(toks, lo, hi):
            t = toks[s]
            if not t.active:
                continue
            if t.text in ("if", "while") and s + 1 < hi and toks[s + 1].text == "(":
                j = match_bracket(toks, s + 1)
                if j is not None and j > s + 2:
                    a, b = toks[s + 2].start, toks[j - 1].end
                    add("negate", a, b, "!(" + src[a:b] + ")", t.line)
                continue
            if t.text == "return":
                e = statement_end(toks, s, hi)
                if e is None or e == s + 1:
                    continue
                a, b = toks[s + 1].start, toks[e - 1].end
                expr = text_of(src, a, b)
                if cat == "bool":
                    repl = {"true": "false", "false": "true"}.get(expr, "!(" + src[a:b] + ")")
                elif cat == "ptr":
                    repl = None if expr == "NULL" else "NULL"
                elif cat == "int":
                    repl = "1" if expr == "0" else "0"
                else:
                    repl = None
                if repl:
                    add("return", a, b, repl, toks[s + 1].line)
                continue
            if is_declaration(toks, s):
                e = statement_end(toks, s, hi)
                for k in range(s, e if e is not None else s + 1):
                    if toks[k].text == "=":
                        break
                    nodecl.add(k)
                continue
            if t.kind != "id" and t.text not in ("*", "(", "++", "--"):
                continue
            if t.kind == "id" and t.text in KEYWORDS:
                continue
            e = statement_end(toks, s, hi)
            if e is None or e == s:
                continue
            depth = 0
            assign = False
            for k in range(s, e):
                x = toks[k]
                if x.text in ("(", "["):
                    depth += 1
                elif x.text in (")", "]"):
                    depth -= 1
                elif depth == 0 and (x.text in ASSIGN or x.text in ("++", "--")):
                    assign = True
            call = toks[e - 1].text == ")" and any(x.text == "(" for x in toks[s:e])
            if not (assign or call):
                continue
            if not assign and t.kind == "id" and re.fullmatch(r"[A-Z0-9_]+", t.text):
                continue        # assertion and lock macros (SF_BUG_ON ...)
            add("delete", t.start, toks[e].end, "{}", t.line)

    # tokens: operators and constants
    REL = {"<": ["<=", ">="], "<=": ["<", ">"], ">": [">=", "<="], ">=": [">", "<"],
           "==": ["!="], "!=": ["=="]}
    ARITH = {"+=": ["-="], "-=": ["+="], "++": ["--"], "--": ["++"]}
    BIT = {"&=": ["|="], "|=": ["&="], "<<": [">>"], ">>": ["<<"], "|": ["&"]}
    hints = expect_hints(toks)
    for i, t in enumerate(toks):
        if not ok(i) or i in nodecl or i in hints:
            continue
        if t.kind == "p":
            if t.text in REL:
                for r in REL[t.text]:
                    add("rel", t.start, t.end, r, t.line)
            elif t.text in ("&&", "||"):
                add("logic", t.start, t.end, "||" if t.text == "&&" else "&&", t.line)
            elif t.text in ARITH:
                for r in ARITH[t.text]:
                    add("arith", t.start, t.end, r, t.line)
            elif t.text in ("+", "-") and is_operand_end(toks, i - 1):
                add("arith", t.start, t.end, "-" if t.text == "+" else "+", t.line)
            elif t.text == "&" and is_operand_end(toks, i - 1):
                add("bitwise", t.start, t.end, "|", t.line)
            elif t.text in BIT:
                for r in BIT[t.text]:
                    add("bitwise", t.start, t.end, r, t.line)
            elif t.text == "!":
                add("negate", t.start, t.end, "", t.line)
        elif t.kind == "num":
            m = RE_INT.match(t.text)
            if not m:
                continue
            body, suffix = m.groups()
            if body.lower().startswith("0x"):
                v, fmt = int(body, 16), lambda x: "0x%x" % x
            elif len(body) > 1 and body[0] == "0":
                v, fmt = int(body, 8), lambda x: "0%o" % x
            else:
                v, fmt = int(body), str
            for w in ([v + 1, v - 1] if v > 0 else [v + 1]):
                add("const", t.start, t.end, fmt(w) + suffix, t.line)
        elif t.kind == "id" and t.text in ("true", "false"):
            add("const", t.start, t.end, "false" if t.text == "true" else "true", t.line)
    out.sort(key=lambda m: (m["start"], m["end"], m["op"], m["mutated"]))
    return out


# ---------------------------------------------------------------- runs

def clean_env():
    env = dict(os.environ)
    for k in list(env):
        if k.startswith("SLABFUZZ_") or k in ("ASAN_OPTIONS", "UBSAN_OPTIONS",
                                              "LSAN_OPTIONS", "MSAN_OPTIONS"):
            del env[k]
    return env


def run(cmd, log, timeout, cwd=None, env=None):
    """Runs cmd in its own session; on timeout kills its process group.
    Returns (exit status or None when it hung, seconds)."""
    t0 = time.monotonic()
    with open(log, "wb") as f:
        p = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             cwd=cwd, env=env if env is not None else clean_env(),
                             start_new_session=True)
        try:
            rc = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            rc = None
        try:
            os.killpg(p.pid, signal.SIGKILL)  # the group: also what it left behind
        except (ProcessLookupError, PermissionError):
            pass
        if rc is None:
            p.wait()
    return rc, time.monotonic() - t0


def read_log(log, limit=4 << 20):
    try:
        with open(log, "rb") as f:
            return f.read(limit).decode("utf-8", "replace")
    except OSError:
        return ""


def title_from_log(text):
    """The report title of a run: what slabfuzz printed, else the sanitizer's."""
    m = re.search(r"slabfuzz: (internal invariant broken: .*?)(?: at \S+:\d+.*)?$", text, re.M)
    if m:
        return m.group(1)
    for line in text.splitlines():
        if line.startswith("slabfuzz: ") and not line.startswith(("slabfuzz: at op",
                                                                   "slabfuzz: during")):
            return line[len("slabfuzz: "):].strip()
    m = re.search(r"ERROR: AddressSanitizer: ([\w-]+)", text)
    if m:
        fn = ""
        for f in re.finditer(r"^\s+#\d+ 0x[0-9a-f]+ in (\S+)", text[m.end():], re.M):
            if not f.group(1).startswith(("__", "mem", "str")):
                fn = " in " + f.group(1)
                break
        return "AddressSanitizer: " + m.group(1) + fn
    m = re.search(r"ERROR: LeakSanitizer: ([^\n]*)", text)
    if m:
        return "LeakSanitizer: " + m.group(1).strip()
    m = re.search(r"runtime error: ([^\n]*)", text)
    if m:
        msg = re.sub(r"0x[0-9a-f]+|-?\d+", "N", m.group(1))
        return "UBSan: " + msg[:120]
    m = re.search(r"ERROR: libFuzzer: ([\w -]+)", text)
    if m:
        return "libFuzzer: " + m.group(1).strip()
    m = re.search(r"^FAIL (\S+)", text, re.M)
    if m:
        return "FAIL " + m.group(1)
    return ""


def detail_from_log(text, title):
    """The first line of a report's body (the checker's invariant id and what it
    saw: "P4: cpu 0 node 0 DMA pcp count 2, lists hold 4"), or ""."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line == "slabfuzz: " + title:
            rest = [x for x in lines[i + 1:i + 3] if not x.startswith("kind: ")]
            return rest[0].strip()[:160] if rest else ""
    return ""


def oracle_key(kill):
    """A kill's oracle: its title, with the invariant id when the checker made it."""
    m = re.match(r"([A-Z]+[0-9]+[a-z]?): ", kill.get("detail", ""))
    return kill["title"] + (" [%s]" % m.group(1) if m else "")


# ---------------------------------------------------------------- the tool

def die(msg, code=2):
    print("mutate: " + msg, file=sys.stderr)
    sys.exit(code)


def log_line(msg):
    print("mutate: " + msg, flush=True)


class Session:
    def __init__(self, args):
        self.a = args
        self.work = os.path.abspath(args.work)
        self.src = os.path.join(self.work, "src")
        self.lf = os.path.join(self.src, "build", "libfuzzer")
        self.dev = os.path.join(self.src, "build", "dev")
        self.logs = os.path.join(self.work, "logs")
        self.tmp = os.path.join(self.work, "tmp")
        self.env = clean_env()
        self.excluded = {}      # (stage, name) -> why: fails without a mutant
        self.asm_cache = {}

    # -- setup
    def copy_tree(self):
        src = self.a.source
        try:
            files = subprocess.run(["git", "-C", src, "ls-files", "-z", "-c", "-o",
                                    "--exclude-standard"], capture_output=True,
                                   check=True).stdout.decode().split("\0")
        except (OSError, subprocess.CalledProcessError):
            files = []
            for root, dirs, names in os.walk(src):
                dirs[:] = [d for d in dirs if d not in (".git", "build") and
                           not d.startswith("fuzz-work")]
                files += [os.path.relpath(os.path.join(root, x), src) for x in names]
        for f in files:
            if not f or not os.path.isfile(os.path.join(src, f)):
                continue
            d = os.path.join(self.src, f)
            os.makedirs(os.path.dirname(d), exist_ok=True)
            shutil.copy2(os.path.join(src, f), d)

    def targets(self):
        with open(os.path.join(self.src, "fuzzers", "targets.txt")) as f:
            ts = [x.strip() for x in f if re.fullmatch(r"[a-z0-9_]+", x.strip())]
        if self.a.targets:
            bad = [t for t in self.a.targets if t not in ts]
            if bad:
                die("--targets: unknown target %s (fuzzers/targets.txt: %s)" %
                    (", ".join(bad), " ".join(ts)))
            ts = [t for t in ts if t in self.a.targets]
        return ts

    def unit_targets(self):
        return sorted("test_" + os.path.splitext(os.path.basename(p))[0]
                      for p in glob.glob(os.path.join(self.src, "tests", "unit", "*.c")))

    def configure(self):
        presets = []
        if set(self.a.stages) & {"replay", "fuzz", "regress"}:
            presets.append(("libfuzzer", self.lf))
        if "unit" in self.a.stages:
            presets.append(("dev", self.dev))
        for name, d in presets:
            if os.path.exists(os.path.join(d, "CMakeCache.txt")):
                continue
            log_line("configuring preset %s" % name)
            rc, _ = run(["cmake", "--preset", name], os.path.join(self.tmp, "configure-%s.log" % name),
                        600, cwd=self.src, env=self.env)
            if rc != 0:
                die("cmake --preset %s failed (%s)" % (name, os.path.join(self.tmp, "configure-%s.log" % name)), 1)

    def build(self, tag, first=False):
        """Builds what the stages need. Returns (ok, first error line)."""
        steps = []
        if set(self.a.stages) & {"replay", "fuzz", "regress"}:
            tg = ["replay_" + t for t in self.targets]
            if "fuzz" in self.a.stages:
                tg += self.fuzz_targets
            if "regress" in self.a.stages or first:
                tg.append("slabfuzz")
            if first:
                tg.append("sf_corpus")
            steps.append((self.lf, tg))
        if "unit" in self.a.stages:
            steps.append((self.dev, self.unit_targets()))
        for d, tg in steps:
            log = os.path.join(self.tmp, "build.log")
            rc, _ = run(["cmake", "--build", d, "-j", str(self.a.jobs), "--target"] + tg, log,
                        self.a.build_timeout, env=self.env)
            if rc != 0:
                text = read_log(log)
                m = re.search(r"^.*error: .*$", text, re.M)
                if first:
                    die("the unmutated tree does not build (%s):\n%s" % (log, text[-3000:]), 1)
                return False, (m.group(0).strip() if m else "build failed (status %s)" % rc)[:300]
        return True, ""

    def encode_regressions(self):
        """corpus/regressions/*.txt, encoded per target into WORK/regress/<target>/."""
        self.regress_dirs = {}
        self.regress_files = sorted(glob.glob(os.path.join(self.src, "corpus", "regressions", "*.txt")))
        tool = os.path.join(self.lf, "tools", "slabfuzz")
        for f in self.regress_files:
            with open(f, errors="replace") as fh:
                m = re.search(r"^# target: (\S+)", fh.read(), re.M)
            if not m or m.group(1) not in self.targets:
                continue
            t = m.group(1)
            d = os.path.join(self.work, "regress", t)
            os.makedirs(d, exist_ok=True)
            out = os.path.join(d, os.path.splitext(os.path.basename(f))[0] +
                               (".txt" if t == "fuzz_program_text" else ".bin"))
            if not os.path.exists(out):
                if t == "fuzz_program_text":
                    shutil.copy(f, out)
                else:
                    rc, _ = run([tool, "encode", f, "-o", out], os.path.join(self.tmp, "encode.log"),
                                60, env=self.env)
                    if rc != 0:
                        die("cannot encode %s (%s)" % (f, os.path.join(self.tmp, "encode.log")), 1)
            self.regress_dirs[t] = d

    def coverage(self):
        """Lines of core/ the seeds and regression inputs run: {file: {line: count}}."""
        cov = os.path.join(self.work, "coverage")
        path = os.path.join(cov, "lines.json")
        if os.path.exists(path):
            with open(path) as f:
                return {k: {int(a): b for a, b in v.items()} for k, v in json.load(f).items()}
        if os.path.exists(cov):
            shutil.rmtree(cov)
        log_line("coverage build of the seeds (tools/coverage.sh)")
        build = os.path.join(self.src, "build", "coverage")
        extra = ["%s=%s" % (t, d) for t, d in sorted(self.regress_dirs.items())]
        rc, _ = run(["bash", os.path.join(self.src, "tools", "coverage.sh"), "-B", build, "-o", cov] + extra,
                    os.path.join(self.tmp, "coverage.log"), 1800, cwd=self.src, env=self.env)
        if rc != 0:
            die("tools/coverage.sh failed (%s)" % os.path.join(self.tmp, "coverage.log"), 1)
        bins = [os.path.join(build, "fuzzers", "replay_" + t) for t in self.targets]
        objs = [bins[0]] + sum((["-object", b] for b in bins[1:]), [])
        llvm_cov = os.environ.get("LLVM_COV", "llvm-cov")
        p = subprocess.run([llvm_cov, "export", "-format=lcov",
                            "-instr-profile=" + os.path.join(cov, "merged.profdata")] + objs,
                           capture_output=True, text=True)
        if p.returncode != 0:
            die("llvm-cov export failed: " + p.stderr[-2000:], 1)
        lines, cur = {}, None
        for ln in p.stdout.splitlines():
            if ln.startswith("SF:"):
                rel = os.path.relpath(os.path.realpath(ln[3:]), os.path.realpath(self.src))
                cur = lines.setdefault(rel, {})
            elif ln.startswith("DA:") and cur is not None:
                a, b = ln[3:].split(",")[:2]
                cur[int(a)] = max(cur.get(int(a), 0), int(b))
        with open(path, "w") as f:
            json.dump(lines, f)
        return lines

    def covered(self, m):
        if self.cov is None:
            return None
        f = self.cov.get(m["file"])
        if f is None:
            return False
        for ln in range(m["line"], m["line"] - 4, -1):
            if ln in f:
                return f[ln] > 0
        return None

    # -- equivalence: identical optimised code
    def asm_hash(self, relpath):
        if not relpath.endswith(".c") or "fuzz" not in self.a.stages and "replay" not in self.a.stages:
            return None
        if not hasattr(self, "ccmds"):
            try:
                with open(os.path.join(self.lf, "compile_commands.json")) as f:
                    self.ccmds = {os.path.realpath(e["file"]): e for e in json.load(f)}
            except (OSError, ValueError):
                self.ccmds = {}
        e = self.ccmds.get(os.path.realpath(os.path.join(self.src, relpath)))
        if not e:
            return None
        argv = shlex.split(e["command"]) if "command" in e else list(e["arguments"])
        out, skip = [], False
        for x in argv:
            if skip:
                skip = False
                continue
            if x in ("-o", "-MF", "-MT", "-MQ"):
                skip = True
                continue
            if x in ("-c", "-MD", "-MMD"):
                continue
            out.append(x)
        out += ["-S", "-g0", "-o", "-"]
        p = subprocess.run(out, cwd=e["directory"], capture_output=True, timeout=300)
        if p.returncode != 0:
            return None
        return hashlib.sha256(p.stdout).hexdigest()

    # -- stages
    def stage_replay(self, mid, only=None):
        for t in self.targets:
            dirs = [d for d in (os.path.join(self.lf, "corpus", t),
                                os.path.join(self.lf, "corpus-campaign", t),
                                self.regress_dirs.get(t))
                    if d and os.path.isdir(d)]
            if not dirs or ("replay", t) in self.excluded or (only and t not in only):
                continue
            log = os.path.join(self.tmp, "run.log")
            rc, _ = run([os.path.join(self.lf, "fuzzers", "replay_" + t)] + dirs, log,
                        self.a.timeout, cwd=self.tmp, env=self.env)
            if rc != 0:
                yield t, rc, log

    def keep_unmutated(self):
        """Copies of the unmutated fuzz targets (WORK/unmutated/): a fuzz-stage
        finding is a kill only if the unmutated tree runs its input clean."""
        if "fuzz" not in self.a.stages:
            return
        d = os.path.join(self.work, "unmutated")
        os.makedirs(d, exist_ok=True)
        for t in self.fuzz_targets:
            shutil.copy2(os.path.join(self.lf, "fuzzers", t), os.path.join(d, t))

    def finding_of_unmutated(self, mid, t, found):
        """The first of the fuzz stage's saved inputs that the unmutated target
        also fails on, kept in WORK/false-kills/ (then the finding is not the
        mutant's: a harness or core bug of the tree itself), or None."""
        ref = os.path.join(self.work, "unmutated", t)
        for x in found:
            log = os.path.join(self.tmp, "unmutated.log")
            rc, _ = run([ref, "-runs=1", x], log, self.a.timeout, cwd=self.tmp, env=self.env)
            if rc == 0:
                continue
            d = os.path.join(self.work, "false-kills")
            os.makedirs(d, exist_ok=True)
            kept = os.path.join(d, "%s-%s-%s" % (mid or "baseline", t, os.path.basename(x)))
            shutil.copy(x, kept)
            title = title_from_log(read_log(log)) or "exit status %s" % rc
            with open(os.path.join(self.work, "false-kills.jsonl"), "a") as f:
                f.write(json.dumps({"id": mid, "target": t, "title": title, "input": kept}) + "\n")
            log_line("WARNING: %s: the fuzz stage's %s input fails on the unmutated tree "
                     "too (%s): not a kill; kept as %s" % (mid, t, title, kept))
            return kept
        return None

    def stage_fuzz(self, mid, only=None):
        for t in self.fuzz_targets:
            if ("fuzz", t) in self.excluded or (only and t not in only):
                continue
            seeds = os.path.join(self.lf, "corpus", t)
            out = os.path.join(self.tmp, "fuzz-corpus")
            if os.path.exists(out):
                shutil.rmtree(out)
            os.makedirs(out)
            cmd = [os.path.join(self.lf, "fuzzers", t), "-seed=%d" % self.a.fuzz_seed,
                   "-runs=%d" % self.a.runs, "-timeout=%d" % self.a.input_timeout,
                   "-artifact_prefix=" + self.tmp + "/", "-print_final_stats=0"]
            cmd += self.fuzz_options(t)
            cmd += [out] + ([seeds] if os.path.isdir(seeds) else [])
            log = os.path.join(self.tmp, "run.log")
            rc, _ = run(cmd, log, self.a.timeout, cwd=self.tmp, env=self.env)
            shutil.rmtree(out, ignore_errors=True)
            found = glob.glob(os.path.join(self.tmp, "crash-*")) + \
                glob.glob(os.path.join(self.tmp, "timeout-*")) + \
                glob.glob(os.path.join(self.tmp, "leak-*")) + \
                glob.glob(os.path.join(self.tmp, "oom-*")) + \
                glob.glob(os.path.join(self.tmp, "slow-unit-*"))
            false_kill = rc not in (0, None) and mid is not None and \
                os.path.isdir(os.path.join(self.work, "unmutated")) and \
                self.finding_of_unmutated(mid, t, found) is not None
            for x in found:
                os.unlink(x)
            if rc != 0 and not false_kill:
                yield t, rc, log

    def fuzz_options(self, t):
        opts = []
        p = os.path.join(self.src, "corpus", t + ".options")
        if os.path.exists(p):
            sect = None
            with open(p) as f:
                for ln in f:
                    ln = ln.strip()
                    if ln.startswith("["):
                        sect = ln.strip("[]")
                    elif "=" in ln and sect == "libfuzzer":
                        k, v = (x.strip() for x in ln.split("=", 1))
                        if k not in ("seed", "runs", "timeout", "dict"):
                            opts.append("-%s=%s" % (k, v))
        d = os.path.join(self.src, "corpus", t + ".dict")
        if os.path.exists(d):
            opts.append("-dict=" + d)
        return opts

    def stage_regress(self, mid, only=None):
        for f in self.regress_files:
            name = os.path.splitext(os.path.basename(f))[0]
            if ("regress", name) in self.excluded or (only and name not in only):
                continue
            log = os.path.join(self.tmp, "run.log")
            rc, _ = run([os.path.join(self.lf, "tools", "slabfuzz"), "regress", f], log,
                        self.a.timeout, cwd=self.tmp, env=self.env)
            if rc != 0:
                yield name, rc, log

    def stage_unit(self, mid, only=None):
        log = os.path.join(self.tmp, "run.log")
        cmd = ["ctest", "--test-dir", self.dev, "-L", "unit", "--output-on-failure",
               "--timeout", str(self.a.timeout), "-j", str(self.a.jobs)]
        excl = [n for s, n in self.excluded if s == "unit"]
        if only is None:
            cmd.append("--stop-on-failure")
        if excl:
            cmd += ["-E", "^(" + "|".join(re.escape(x) for x in excl) + ")$"]
        rc, _ = run(cmd, log, self.a.timeout * 2 + 60, cwd=self.tmp, env=self.env)
        if rc == 0:
            return
        text = read_log(log)
        failed = re.findall(r"Test\s+#\d+: (\S+) \.*[^\n]*?\*+(?:Failed|Timeout|Exception)", text)
        failed += re.findall(r"Test\s+#\d+: (\S+) \.*\s*Subprocess", text)
        if rc is None:
            yield (failed[0] if failed else "ctest"), None, log
            return
        if not failed:
            yield "ctest", rc, log
            return
        for name in dict.fromkeys(failed):
            yield name, rc, log

    def run_stage(self, stage, mid, only=None):
        """Runs a stage; returns None (clean) or {"by", "title", "status"} of the first kill.
        With only (a set of names), runs each of them and returns all failures."""
        gen = getattr(self, "stage_" + stage)(mid, only)
        fails = []
        for name, rc, log in gen:
            text = read_log(log)
            if rc is None:
                title = "hang: killed after %ds" % self.a.timeout
                t2 = title_from_log(text)
                if t2:
                    title += " (" + t2 + ")"
            else:
                title = title_from_log(text) or "exit status %d" % rc
                if stage == "regress":
                    title = re.sub(r"^\S+\.txt: ", "", title)
                if stage == "unit":
                    sub = re.search(r"^FAIL (\S+)", text, re.M)
                    if sub and not title.startswith("FAIL"):
                        title += " (FAIL %s)" % sub.group(1)
            kill = {"by": "%s:%s" % (stage, name), "title": title,
                    "detail": detail_from_log(text, title),
                    "status": "hang" if rc is None else rc}
            if mid is not None:
                shutil.copy(log, os.path.join(self.logs, "%s-%s.log" % (mid, stage)))
            if only is None:
                gen.close()
                return kill
            fails.append(kill)
        return fails if only is not None else None

    def baseline(self):
        """The unmutated tree: every stage, every run. Whatever fails already is
        excluded from the measure (and said so in the summary)."""
        log_line("baseline: every stage on the unmutated tree")
        times = {}
        for stage in self.a.stages:
            t0 = time.monotonic()
            if stage == "replay":
                names = set(self.targets)
            elif stage == "fuzz":
                names = set(self.fuzz_targets)
            elif stage == "regress":
                names = {os.path.splitext(os.path.basename(f))[0] for f in self.regress_files}
            else:
                names = {"all"}
            fails = self.run_stage(stage, None, names)
            times[stage] = time.monotonic() - t0
            log_line("baseline: %s %.1f s" % (stage, times[stage]))
            for k in fails:
                name = k["by"].split(":", 1)[1]
                if stage == "unit" and name in ("ctest", "all"):
                    die("baseline: ctest -L unit fails without a mutant and names no test "
                        "(%s)" % k["title"], 1)
                self.excluded[(stage, name)] = k["title"]
                log_line("baseline: %s %s fails without a mutant (%s): excluded" %
                         (stage, name, k["title"]))
        return times

    # -- one mutant
    def apply(self, m, orig):
        text = orig[:m["start"]] + m["repl"] + orig[m["end"]:]
        with open(os.path.join(self.src, m["file"]), "w", encoding="utf-8",
                  errors="surrogateescape") as f:
            f.write(text)

    def restore(self, m, orig):
        with open(os.path.join(self.src, m["file"]), "w", encoding="utf-8",
                  errors="surrogateescape") as f:
            f.write(orig)

    def do_mutant(self, m, orig):
        r = {k: m[k] for k in ("id", "file", "line", "op", "orig", "mutated")}
        r["covered"] = self.covered(m)
        t0 = time.monotonic()
        self.apply(m, orig)
        try:
            base = self.asm_cache.get(m["file"])
            h = self.asm_hash(m["file"]) if base else None
            if base and h and h == base:
                r["build"] = "equivalent"
                r["build_error"] = "identical optimised code (-O2 -S)"
            else:
                ok, err = self.build(m["id"])
                r["build"] = "ok" if ok else "failed"
                if not ok:
                    r["build_error"] = err
            r["stages"] = {}
            r["killed"] = None
            if r["build"] == "ok":
                for stage in self.a.stages:
                    if r["killed"] and not self.a.all_stages:
                        r["stages"][stage] = "not run"
                        continue
                    t1 = time.monotonic()
                    k = self.run_stage(stage, m["id"])
                    r["stages"][stage] = k or "survived"
                    r.setdefault("stage_seconds", {})[stage] = round(time.monotonic() - t1, 1)
                    if k and not r["killed"]:
                        r["killed"] = k
                        r["killed"]["stage"] = stage
            kills = [s for s, v in r["stages"].items() if isinstance(v, dict)]
            r["killed_fuzz"] = any(s in FUZZ_STAGES for s in kills)
            r["killed_suite"] = bool(kills)
        finally:
            self.restore(m, orig)
        r["seconds"] = round(time.monotonic() - t0, 1)
        return r


def sample(args, srcroot):
    files = []
    for g in args.files:
        hits = sorted(glob.glob(os.path.join(srcroot, g)))
        if not hits:
            die("--files %s: matches no file under %s" % (g, srcroot))
        files += [os.path.relpath(h, srcroot) for h in hits if os.path.isfile(h)]
    files = sorted(dict.fromkeys(files))
    pool = []
    for f in files:
        with open(os.path.join(srcroot, f), encoding="utf-8", errors="surrogateescape") as fh:
            pool += candidates(f, fh.read())
    if args.only:
        chosen = []
        for spec in args.only:
            parts = spec.split(":")
            if len(parts) not in (3, 4) or not parts[1].isdigit() or parts[2] not in OPS:
                die("--only %s: want FILE:LINE:OP[:N] with OP one of %s" % (spec, " ".join(OPS)))
            hits = [m for m in pool if (m["file"] == parts[0] or m["file"].endswith("/" + parts[0]))
                    and m["line"] == int(parts[1]) and m["op"] == parts[2]]
            n = int(parts[3]) if len(parts) == 4 and parts[3].isdigit() else 0
            if n >= len(hits):
                die("--only %s: no such mutant (%d candidates at that line and op)" % (spec, len(hits)))
            chosen.append(hits[n])
    else:
        if not pool:
            die("no mutable code in " + " ".join(args.files))
        rnd = random.Random(args.seed)
        chosen = rnd.sample(pool, min(args.count, len(pool)))
    chosen.sort(key=lambda m: (m["file"], m["start"], m["op"], m["mutated"]))
    for i, m in enumerate(chosen):
        m["id"] = "m%03d" % (i + 1)
    return chosen, len(pool)


def fmt_pct(a, b):
    return "%.1f%%" % (100.0 * a / b) if b else "n/a"


def summarise(sess, mutants, results, meta):
    res = [results[m["id"]] for m in mutants if m["id"] in results]
    for r in res:
        k = r.get("killed")
        if k and "detail" not in k:     # recorded before details were kept
            log = os.path.join(sess.work, "logs", "%s-%s.log" % (r["id"], k["stage"]))
            k["detail"] = detail_from_log(read_log(log), k["title"])
    built = [r for r in res if r["build"] == "ok"]
    failed = [r for r in res if r["build"] == "failed"]
    equiv = [r for r in res if r["build"] == "equivalent"]
    kf = [r for r in built if r["killed_fuzz"]]
    ks = [r for r in built if r["killed_suite"]]
    surv = [r for r in built if not r["killed_suite"]]
    lines = []
    lines.append("mutation score: %s" % meta["command"])
    lines.append("source commit %s%s, sample seed %d, libFuzzer -seed=%d -runs=%d, stages %s" %
                 (meta["commit"], " (+uncommitted changes)" if meta.get("dirty") else "",
                  meta["seed"], meta["fuzz_seed"], meta["runs"], ",".join(meta["stages"])))
    lines.append("candidates %d, sampled %d, done %d" % (meta["pool"], len(mutants), len(res)))
    lines.append("build failed %d, identical code (-O2) %d, viable %d" %
                 (len(failed), len(equiv), len(built)))
    lines.append("killed by the fuzz targets alone (replay + fuzz): %d / %d = %s" %
                 (len(kf), len(built), fmt_pct(len(kf), len(built))))
    lines.append("killed by the whole suite (+ regress + unit):      %d / %d = %s" %
                 (len(ks), len(built), fmt_pct(len(ks), len(built))))
    by_stage = {}
    for r in ks:
        by_stage[r["killed"]["stage"]] = by_stage.get(r["killed"]["stage"], 0) + 1
    lines.append("first kill by stage: " + ", ".join("%s %d" % (s, by_stage.get(s, 0))
                                                    for s in meta["stages"]))
    hangs = sum(1 for r in ks if r["killed"]["status"] == "hang")
    lines.append("kills that were hangs: %d" % hangs)
    cov_built = [r for r in built if r["covered"]]
    lines.append("viable mutants on lines the seeds cover: %d, of them killed by the fuzz "
                 "targets %d" % (len(cov_built), sum(1 for r in cov_built if r["killed_fuzz"])))
    fk = []
    fkp = os.path.join(sess.work, "false-kills.jsonl")
    if os.path.exists(fkp):
        with open(fkp) as f:
            fk = [json.loads(ln) for ln in f if ln.strip()]
    if fk:
        lines.append("WARNING: fuzz-stage findings that the unmutated tree has too (not "
                     "kills; a bug of the tree itself, fix it and measure again) (%d):" % len(fk))
        for k in fk:
            lines.append("  %s %s: %s  [%s]" % (k["id"], k["target"], k["title"], k["input"]))
    if sess.excluded:
        lines.append("excluded (fail without a mutant): " +
                     "; ".join("%s %s: %s" % (s, n, t) for (s, n), t in sorted(sess.excluded.items())))
    titles = {}
    for r in ks:
        key = oracle_key(r["killed"])
        titles[key] = titles.get(key, 0) + 1
    lines.append("oracles (first kill): ")
    for t, c in sorted(titles.items(), key=lambda x: (-x[1], x[0])):
        lines.append("  %3d  %s" % (c, t))
    lines.append("survivors (%d):" % len(surv))
    for r in surv:
        lines.append("  %s %s:%d %s covered=%s: %s  ->  %s" %
                     (r["id"], r["file"], r["line"], r["op"],
                      {True: "yes", False: "no", None: "?"}[r["covered"]], r["orig"][:80],
                      r["mutated"][:80]))
    lines.append("killed only by regress/unit (%d):" % (len(ks) - len(kf)))
    for r in ks:
        if not r["killed_fuzz"]:
            lines.append("  %s %s:%d %s: %s -> %s  [%s: %s]" %
                         (r["id"], r["file"], r["line"], r["op"], r["orig"][:60],
                          r["mutated"][:60], r["killed"]["by"], oracle_key(r["killed"])))
    if failed:
        lines.append("build failed (%d): %s" % (len(failed), " ".join(r["id"] for r in failed)))
    if equiv:
        lines.append("identical code (%d): %s" % (len(equiv), " ".join(r["id"] for r in equiv)))
    text = "\n".join(lines) + "\n"
    with open(os.path.join(sess.work, "summary.txt"), "w") as f:
        f.write(text)
    with open(os.path.join(sess.work, "results.tsv"), "w") as f:
        f.write("id\tfile:line\top\torig\tmutated\tbuild\tcovered\treplay\tfuzz\tregress\tunit\t"
                "killed_by\ttitle\tseconds\n")
        for r in res:
            st = []
            for s in STAGES:
                v = r.get("stages", {}).get(s, "-")
                st.append(v["by"].split(":", 1)[1] if isinstance(v, dict) else v)
            k = r.get("killed") or {}
            f.write("\t".join(str(x).replace("\t", " ") for x in
                              [r["id"], "%s:%d" % (r["file"], r["line"]), r["op"], r["orig"],
                               r["mutated"], r["build"], r["covered"]] + st +
                              [k.get("by", ""), k.get("title", ""), r["seconds"]]) + "\n")
    return text


def load_results(work):
    """{id: result} of what WORK/results.jsonl holds (a cut last line is ignored)."""
    results = {}
    rpath = os.path.join(work, "results.jsonl")
    if os.path.exists(rpath):
        with open(rpath) as f:
            for x in f:
                try:
                    r = json.loads(x)
                except ValueError:
                    continue
                results[r["id"]] = r
    return results


def parse_args(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(
        prog="tools/mutate.py",
        description="Mutation score of the harness over lexical mutants of core/ "
                    "(see docs/fuzzing.md, 'Mutation score').",
        epilog="Results: WORK/summary.txt, results.tsv, results.jsonl, logs/. Exit status: "
               "0 done, 1 a run or build of the unmutated tree failed, 2 bad usage or input.")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED,
                   help="sampling seed (default %d)" % DEFAULT_SEED)
    p.add_argument("--count", type=int, default=100, help="mutants to sample (default 100)")
    p.add_argument("--runs", type=int, default=2000,
                   help="libFuzzer -runs per machine target (default 2000)")
    p.add_argument("--fuzz-seed", type=int, default=1, help="libFuzzer -seed (default 1)")
    p.add_argument("--jobs", type=int, default=1, help="build and ctest parallelism (default 1)")
    p.add_argument("--work", help="result folder; must not exist unless --resume "
                                  "(default build/mutate/run-YYYYmmdd-HHMMSS)")
    p.add_argument("--files", action="append",
                   help="files to mutate, a glob relative to the checkout; repeatable "
                        "(default %s)" % " ".join(DEFAULT_FILES))
    p.add_argument("--resume", action="store_true",
                   help="continue in WORK: mutants already recorded are kept")
    p.add_argument("--only", action="append", metavar="FILE:LINE:OP[:N]",
                   help="this mutant instead of a sample (N-th candidate of that op on that "
                        "line, default 0); OP one of %s; repeatable" % " ".join(OPS))
    p.add_argument("--report", action="store_true",
                   help="print the summary of WORK again from what is recorded (no build, no run)")
    p.add_argument("--dry-run", action="store_true",
                   help="list the sampled mutants (no copy, no build) and exit")
    p.add_argument("--stages", default=",".join(STAGES),
                   help="stages to run, in order (default %s)" % ",".join(STAGES))
    p.add_argument("--targets", help="fuzz targets to use (comma list; default all of "
                                     "fuzzers/targets.txt)")
    p.add_argument("--all-stages", action="store_true",
                   help="run every stage even after a kill (per-stage kill sets)")
    p.add_argument("--no-coverage", action="store_true",
                   help="skip the coverage build (covered = unknown)")
    p.add_argument("--timeout", type=int, default=30,
                   help="seconds per child run before it counts as a hang (default 30)")
    p.add_argument("--input-timeout", type=int, default=10,
                   help="libFuzzer -timeout per input (default 10)")
    p.add_argument("--build-timeout", type=int, default=900, help=argparse.SUPPRESS)
    p.add_argument("--source", default=os.path.dirname(here),
                   help="checkout to copy (default the one holding this script)")
    a = p.parse_args(argv)
    if a.count < 1 or a.runs < 1 or a.jobs < 1 or a.timeout < 1 or a.input_timeout < 1:
        p.error("--count, --runs, --jobs, --timeout and --input-timeout must be positive")
    a.files = a.files or DEFAULT_FILES
    a.stages = [s for s in a.stages.split(",") if s]
    bad = [s for s in a.stages if s not in STAGES]
    if bad or not a.stages:
        p.error("--stages: unknown stage %s (known: %s)" % (",".join(bad), ",".join(STAGES)))
    a.targets = [t for t in a.targets.split(",") if t] if a.targets else None
    a.source = os.path.abspath(a.source)
    if not os.path.isdir(a.source):
        die("--source %s: not a folder" % a.source)
    if not os.path.isfile(os.path.join(a.source, "fuzzers", "targets.txt")) or \
            not os.path.isdir(os.path.join(a.source, "core")):
        die("--source %s: not a slabfuzz checkout (no core/ or fuzzers/targets.txt)" % a.source)
    if not a.work:
        a.work = os.path.join(a.source, "build", "mutate", time.strftime("run-%Y%m%d-%H%M%S"))
    return a


def main(argv):
    a = parse_args(argv)
    work = os.path.abspath(a.work)
    meta_path = os.path.join(work, "meta.json")
    command = "tools/mutate.py " + " ".join(shlex.quote(x) for x in argv)
    if a.dry_run:
        mutants, pool = sample(a, a.source)
        print("# %d candidates, %d sampled (seed %d)" % (pool, len(mutants), a.seed))
        for m in mutants:
            print("%s\t%s:%d\t%s\t%s\t%s" % (m["id"], m["file"], m["line"], m["op"],
                                            m["orig"][:100], m["mutated"][:100]))
        return 0
    def load_meta(flag):
        if not os.path.isfile(meta_path):
            die("%s: %s is not a mutate work folder (no meta.json): give --work the folder of an earlier run" % (flag, work))
        with open(meta_path) as f:
            return json.load(f)

    if a.report:
        meta = load_meta("--report")
        with open(os.path.join(work, "mutants.jsonl")) as f:
            mutants = [json.loads(x) for x in f if x.strip()]
        results = load_results(work)
        sess = Session(a)
        sess.excluded = {tuple(k.split(" ", 1)): v for k, v in meta.get("excluded", {}).items()}
        print(summarise(sess, mutants, results, meta), end="")
        return 0
    if a.resume:
        meta = load_meta("--resume")
        for k in ("seed", "runs", "fuzz_seed", "stages", "files", "only", "targets"):
            if meta["args"].get(k) != getattr(a, k):
                die("--resume: --%s differs from the run in %s (%r there)" %
                    (k.replace("_", "-"), work, meta["args"].get(k)))
    else:
        if os.path.exists(work):
            die("%s exists: refusing to overwrite earlier results (use --resume or another --work)" % work)
        for tool in ["cmake", "ctest"] + ([] if a.no_coverage else ["llvm-cov", "llvm-profdata"]):
            if not shutil.which(tool):
                die("%s not found (bash ci/setup.sh installs it)" % tool)
    sess = Session(a)
    os.makedirs(sess.logs, exist_ok=True)
    os.makedirs(sess.tmp, exist_ok=True)

    if not a.resume:
        log_line("copying %s into %s" % (a.source, sess.src))
        sess.copy_tree()
        mutants, pool = sample(a, sess.src)
        commit = subprocess.run(["git", "-C", a.source, "rev-parse", "HEAD"],
                                capture_output=True, text=True).stdout.strip() or "unknown"
        dirty = bool(subprocess.run(["git", "-C", a.source, "status", "--porcelain",
                                     "--untracked-files=no"],
                                    capture_output=True, text=True).stdout.strip())
        meta = {"command": command, "commit": commit, "dirty": dirty, "seed": a.seed,
                "fuzz_seed": a.fuzz_seed, "runs": a.runs, "stages": a.stages, "pool": pool,
                "args": {k: getattr(a, k) for k in ("seed", "runs", "fuzz_seed", "stages",
                                                    "files", "only", "targets", "count")}}
        os.makedirs(os.path.join(work, "orig"), exist_ok=True)
        for f in sorted({m["file"] for m in mutants}):
            dst = os.path.join(work, "orig", f)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy(os.path.join(sess.src, f), dst)
        with open(os.path.join(work, "mutants.jsonl"), "w") as f:
            for m in mutants:
                f.write(json.dumps(m) + "\n")
        with open(meta_path, "w") as f:
            json.dump(meta, f, indent=1)
    else:
        with open(os.path.join(work, "mutants.jsonl")) as f:
            mutants = [json.loads(x) for x in f if x.strip()]
    origs = {}
    for f in sorted({m["file"] for m in mutants}):
        with open(os.path.join(work, "orig", f), encoding="utf-8", errors="surrogateescape") as fh:
            origs[f] = fh.read()
        # a run stopped mid-mutant leaves a mutated file behind: restore it
        with open(os.path.join(sess.src, f), "w", encoding="utf-8", errors="surrogateescape") as fh:
            fh.write(origs[f])

    sess.targets = sess.targets()
    sess.fuzz_targets = [t for t in sess.targets if t != "fuzz_program_text"]
    sess.configure()
    log_line("building the unmutated tree")
    sess.build(None, first=True)
    sess.keep_unmutated()
    sess.encode_regressions()
    sess.cov = None if a.no_coverage else sess.coverage()
    for f in origs:
        sess.asm_cache[f] = sess.asm_hash(f)
    times = sess.baseline()
    meta["excluded"] = {"%s %s" % k: v for k, v in sess.excluded.items()}
    with open(meta_path, "w") as f:
        json.dump(meta, f, indent=1)

    results = load_results(work)
    rpath = os.path.join(work, "results.jsonl")
    todo = [m for m in mutants if m["id"] not in results]
    per = sum(times.values()) + 10
    log_line("%d mutants to run (%d done); about %.0f s each when a mutant survives, "
             "so at most about %.0f min" % (len(todo), len(results), per, len(todo) * per / 60))
    with open(rpath, "a") as out:
        for m in todo:
            r = sess.do_mutant(m, origs[m["file"]])
            results[m["id"]] = r
            out.write(json.dumps(r) + "\n")
            out.flush()
            k = r.get("killed")
            log_line("%s %s:%d %s %s -> %s: %s%s (%.0fs)" % (
                m["id"], m["file"], m["line"], m["op"], m["orig"][:40], m["mutated"][:40],
                r["build"] if r["build"] != "ok" else ("killed" if k else "SURVIVED"),
                " by %s [%s]" % (k["by"], k["title"]) if k else "", r["seconds"]))
    print(summarise(sess, mutants, results, meta), end="")
    log_line("results in %s" % work)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        die("interrupted (the work folder can be continued with --resume)", 130)
