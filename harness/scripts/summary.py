#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""summary.py RESULTS T_START: print the per-scenario table and the final
"N passed, N failed" line; exit 1 on any failure."""
import sys
import time

res, t_start = sys.argv[1], int(sys.argv[2])
passed = failed = skipped = 0
stages, tests = [], []
for line in open(res):
    f = line.split()
    if not f:
        continue
    if f[0] == 'STAGE':
        stages.append((f[1], f[2], f[3]))
        if f[2] == 'PASS':
            passed += 1
        else:
            failed += 1
    elif f[0] == 'TEST':
        p, fl, s = int(f[2]), int(f[3]), int(f[4])
        tests.append((f[1], p, fl, s, ' '.join(f[5:])))
        passed += p
        failed += fl
        skipped += s

print()
print('%-28s %-6s %s' % ('stage', 'result', 'time'))
for name, r, t in stages:
    print('%-28s %-6s %s' % (name, r, t))
if tests:
    print()
    print('%-44s %6s %6s %6s  %s' % ('scenario/suite', 'pass', 'fail', 'skip', ''))
    for name, p, fl, s, d in tests:
        print('%-44s %6d %6d %6d  %s' % (name, p, fl, s, d))
print()
print('total time %ds' % (time.time() - t_start))
print('%d passed, %d failed' % (passed, failed) + (', %d skipped' % skipped if skipped else ''))
sys.exit(1 if failed else 0)
