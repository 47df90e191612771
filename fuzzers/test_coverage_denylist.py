#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""fuzz.coverage_denylist: the code left out of coverage feedback is the same
for clang SanitizerCoverage builds (SF_NO_COVERAGE, SF_NO_COVERAGE_BEGIN/END
in the source) and AFL++ builds (fuzzers/coverage.denylist), and every name
the list gives exists.

usage: test_coverage_denylist.py SOURCE_ROOT"""
import glob
import os
import re
import sys

DEF = re.compile(r"^(?:static\s+)?(SF_NO_COVERAGE\s+)?[A-Za-z_][^\n(;=]*?[\s*]"
                 r"([a-z_][a-z_0-9]*)\([^;{]*\)\s*\n\{", re.M)


def functions(text):
    """(name, offset, marked) of every function definition."""
    return [(m.group(2), m.start(), bool(m.group(1))) for m in DEF.finditer(text)]


def main(root):
    errors = []
    lst = os.path.join(root, "fuzzers/coverage.denylist")
    srcs, funs = set(), set()
    with open(lst) as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            kind, _, name = (x.strip() for x in line.partition(":"))
            if kind == "src":
                srcs.add(name)
            elif kind == "fun":
                funs.add(name)
            else:
                errors.append("%s:%d: neither src: nor fun: '%s'" % (lst, n, line))
    # emit_rt.c is not built here: it is embedded into emitted reproducers.
    files = sorted(p for p in glob.glob(os.path.join(root, "core/*.c")) +
                   glob.glob(os.path.join(root, "fuzzers/*.c")) if not p.endswith("/emit_rt.c"))
    defined = {}
    for path in files:
        rel = os.path.relpath(path, root)
        base = os.path.basename(path)
        text = open(path).read()
        fns = functions(text)
        for name, _, _ in fns:
            defined.setdefault(name, []).append(rel)
        begin = text.find("\nSF_NO_COVERAGE_BEGIN\n")
        end = text.find("\nSF_NO_COVERAGE_END\n")
        if (begin < 0) != (end < 0) or end < begin:
            errors.append("%s: SF_NO_COVERAGE_BEGIN and _END do not pair" % rel)
            continue
        region = [(nm, off) for nm, off, _ in fns if begin >= 0 and begin < off < end]
        outside = [nm for nm, off, _ in fns if not (begin >= 0 and begin < off < end)]
        if base in srcs:
            if outside:
                errors.append("%s: listed as src: but %s are instrumented in clang "
                              "builds (outside SF_NO_COVERAGE_BEGIN/END)" % (rel, ", ".join(outside)))
            continue
        for nm, _ in region:
            if nm not in funs:
                errors.append("%s: %s is out of coverage in clang builds (SF_NO_COVERAGE_BEGIN) "
                              "but not in the denylist" % (rel, nm))
        for nm, _, marked in fns:
            if marked and nm not in funs:
                errors.append("%s: %s is SF_NO_COVERAGE but not in the denylist" % (rel, nm))
            if nm in funs and not marked and nm not in (r for r, _ in region):
                errors.append("%s: %s is in the denylist but instrumented in clang builds" % (rel, nm))
    for s in sorted(srcs):
        if not any(os.path.basename(p) == s for p in files):
            errors.append("denylist src: %s names no file of core/ or fuzzers/" % s)
    for fn in sorted(funs):
        if fn not in defined:
            errors.append("denylist fun: %s names no function of core/ or fuzzers/" % fn)
        elif len(defined[fn]) > 1:
            errors.append("denylist fun: %s is defined in %s: AFL++ would leave all out"
                          % (fn, ", ".join(defined[fn])))
    if not funs or not srcs:
        errors.append("the denylist names no function or no file: nothing checked")
    for e in errors:
        print("FAIL:", e)
    if errors:
        return 1
    print("coverage denylist: %d files, %d functions, agree with the source" % (len(srcs), len(funs)))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__.split("\n\n")[1])
    sys.exit(main(sys.argv[1]))
