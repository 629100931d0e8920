#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Turn guest console logs into test results.

results.py [--kunit] SCENARIO LOG  appends lines to $BUILD/results.txt:
    TEST <scenario>/<suite> <passed> <failed> <skipped> [detail]
and prints every failing case and every kernel report it finds.

Sources of results in one log:
  * KUnit, printed by the kernel before /init: "# <suite>: pass:P fail:F skip:S total:T"
  * programs run by /init between "@@@ BEGIN name" and "@@@ END name rc=N":
    kselftest "# Totals: pass:P fail:F xfail:X xpass:Y skip:S error:E", else
    TAP "ok"/"not ok" lines, else the exit status alone.
  * the console scan: any kernel warning, BUG, oops, sanitizer or lockdep
    report, or call trace is a failure of its own.
"""
import os
import re
import sys

PREFIX = re.compile(r'^\[\s*\d+\.\d+\]\s?')
KUNIT_SUITE = re.compile(r'^# (\S+): pass:(\d+) fail:(\d+) skip:(\d+) total:(\d+)$')
KSFT_TOTALS = re.compile(r'^# Totals: pass:(\d+) fail:(\d+) xfail:(\d+) xpass:(\d+) skip:(\d+) error:(\d+)')
TAP = re.compile(r'^\s*(not ok|ok) \d+\s*-?\s*(.*)$')
BAD = re.compile(r'(WARNING:|BUG:|Oops|Kernel panic|Call trace:|UBSAN:|KASAN:|'
                 r'unreferenced object|INFO: possible|INFO: task .* blocked|'
                 r'general protection|Unable to handle kernel|kernel BUG|'
                 r'DEBUG_LOCKS_WARN|refcount_t:|list_add corruption|list_del corruption)')


def main():
    args = sys.argv[1:]
    want_kunit = False
    if args and args[0] == '--kunit':
        want_kunit = True
        args = args[1:]
    scn, logfile = args
    out = open(os.path.join(os.environ['BUILD'], 'results.txt'), 'a')
    raw = [l.rstrip('\r\n') for l in open(logfile, errors='replace')]
    lines = [PREFIX.sub('', l) for l in raw]
    # KUnit reports through the kernel log: every timestamped console line,
    # before /init and after (suites in modules run as they are loaded).
    klines = [PREFIX.sub('', l) for l in raw if PREFIX.match(l)]

    def record(suite, p, f, s, detail=''):
        out.write(f'TEST {scn}/{suite} {p} {f} {s} {detail}\n'.rstrip() + '\n')

    # The programs run by /init start at the scenario marker.
    try:
        start = next(i for i, l in enumerate(lines) if l.startswith('@@@ SCENARIO'))
    except StopIteration:
        start = len(lines)
    if want_kunit:
        # Suite summaries are not indented (parameterised cases print
        # indented summaries of their own). When the executor follows a
        # suite with "# Totals:", those counts include every parameter.
        suites = 0
        kern = [l.rstrip() for l in klines]
        for i, l in enumerate(kern):
            m = KUNIT_SUITE.match(l)
            if not m or m[1] == 'Totals':
                continue
            suites += 1
            nxt = KUNIT_SUITE.match(kern[i + 1]) if i + 1 < len(kern) else None
            if nxt and nxt[1] == 'Totals':
                m = nxt
            record('kunit:' + KUNIT_SUITE.match(l)[1], int(m[2]), int(m[3]), int(m[4]))
        for l in kern:
            m = TAP.match(l)
            if m and m[1] == 'not ok' and '# SKIP' not in l:
                print(f'  {scn}: KUnit: {l.strip()}')
        if suites == 0:
            record('kunit', 0, 1, 0, 'no KUnit results in the console')
            print(f'  {scn}: KUnit printed no suite results')

    # Programs run by /init.
    cur = None
    body = []
    for l in lines[start:]:
        if l.startswith('@@@ BEGIN '):
            cur, body = l.split()[2], []
        elif l.startswith('@@@ END ') and cur:
            rc = int(l.rsplit('rc=', 1)[1])
            p = f = s = 0
            tot = [KSFT_TOTALS.match(b) for b in body]
            tot = [t for t in tot if t]
            if tot:
                t = tot[-1]
                p, f, s = int(t[1]) + int(t[3]), int(t[2]) + int(t[4]) + int(t[6]), int(t[5])
            else:
                for b in body:
                    m = TAP.match(b)
                    if m:
                        if '# SKIP' in b:
                            s += 1
                        elif m[1] == 'ok':
                            p += 1
                        else:
                            f += 1
            for b in body:
                m = TAP.match(b)
                if m and m[1] == 'not ok' and '# SKIP' not in b:
                    print(f'  {scn}/{cur}: {b.strip()}')
            if p + f + s == 0:
                p, f = (1, 0) if rc == 0 else (0, 1)
            elif rc != 0 and f == 0:
                f = 1
                print(f'  {scn}/{cur}: exited with status {rc}')
            record(cur, p, f, s, f'rc={rc}')
            cur = None
        elif cur:
            body.append(l)
    if cur:
        record(cur, 0, 1, 0, 'did not finish')
        print(f'  {scn}/{cur}: did not finish')

    # Console scan.
    reports = [(i, l) for i, l in enumerate(lines) if BAD.search(l)]
    for i, l in reports:
        print(f'  {scn}: kernel report at console line {i + 1}:')
        for c in lines[max(0, i - 2):i + 25]:
            print('    | ' + c)
    record('console-scan', 0 if reports else 1, len(reports), 0,
           f'{len(reports)} kernel reports' if reports else 'clean')


if __name__ == '__main__':
    main()
