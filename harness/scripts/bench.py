#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Collect, check and tabulate the output of the guest's heaps-bench.

bench.py report LOG OUTDIR
    Write the CSV files heaps-bench printed ("@@@ CSV <file> <row>") into
    OUTDIR, check them, and print the tables of ratios (also written to
    OUTDIR/table.txt). Exits non-zero when the CSV is missing or malformed.
bench.py plot OUTDIR
    Draw OUTDIR/latency-<heap>.svg for every heap (alloc+free latency
    against size, log-log, with memset and the idle-heap points) and
    OUTDIR/latency.svg with every heap, from the CSV files in OUTDIR, with
    gnuplot.
bench.py smoke SCENARIO LOG
    Check the CSV of a `heaps-bench --smoke` run and append one result line
    to $BUILD/results.txt (see results.py), for `make check`.

Only ratios mean something: the guest runs under QEMU TCG, where absolute
times measure the emulator.
"""
import csv
import io
import os
import re
import sys

PREFIX = re.compile(r'^\[\s*\d+\.\d+\]\s?')
CSV_LINE = re.compile(r'^@@@ CSV (\S+\.csv) (.*)$')

HEADERS = {
    'heaps.csv': 'heap,kind,cpu_access,largest,capped',
    'bench.csv': 'heap,kind,test,size,size_kind,n,median_ns,p99_ns,min_ns,'
                 'x_system,x_memset',
    'frag.csv': 'heap,size,seed,ops,allocs,frees,failed,fill_pct,used,free,'
                'largest_alloc,largest_free_stats,ratio,churn_ns,base,clear_ahead',
    'dmem.csv': 'heap,n,root_median_ns,limited_median_ns,x_root',
    'idle.csv': 'heap,size,size_kind,n,median_ns,p99_ns,k4_median_ns,x_4k',
    'tight.csv': 'heap,size,n,median_ns,p99_ns,mean_ns,inline_pct,'
                 'off_median_ns,x_off',
}
TESTS = ('alloc_free', 'map_touch', 'read', 'memset', 'memset_idle')
KB, MB = 1024, 1024 * 1024

# Targets of issue 7, tightened by issue 14.
TARGET_4K_VS_SYSTEM = 1.0
TARGET_LARGE_VS_MEMSET = 1.25
TARGET_FRAG = 0.5
# Issue 13: what a dmem.max costs an allocation.
TARGET_DMEM = 1.05
# Issue 14: large buffers from an idle heap, against its 4 KiB alloc+free.
TARGET_IDLE_VS_4K = 3.0
# Issue 14: continuous churn "no worse than today": back to back, against
# the same heap with clear_ahead off (every allocation clears inline).
TARGET_TIGHT_VS_OFF = 1.0


class Malformed(Exception):
    pass


def extract(logfile):
    """{file: [rows as dicts]}, checked against the expected headers."""
    files = {}
    for line in open(logfile, errors='replace'):
        m = CSV_LINE.match(PREFIX.sub('', line.rstrip('\r\n')))
        if m:
            files.setdefault(m[1], []).append(m[2])
    out = {}
    for name, header in HEADERS.items():
        lines = files.get(name)
        if not lines:
            raise Malformed(f'{name}: no rows in the log')
        if lines[0] != header:
            raise Malformed(f'{name}: header is "{lines[0]}", expected "{header}"')
        rows = list(csv.reader(io.StringIO('\n'.join(lines))))
        ncol = len(rows[0])
        for i, r in enumerate(rows[1:], 2):
            if len(r) != ncol:
                raise Malformed(f'{name} line {i}: {len(r)} fields, expected {ncol}: {r}')
        out[name] = (lines, [dict(zip(rows[0], r)) for r in rows[1:]])
    unknown = set(files) - set(HEADERS)
    if unknown:
        raise Malformed(f'unexpected CSV files: {sorted(unknown)}')
    return out


def num(row, key, kind=int):
    try:
        v = kind(row[key])
    except ValueError:
        raise Malformed(f'{key}="{row[key]}" is not a number in {row}')
    if v < 0:
        raise Malformed(f'{key} is negative in {row}')
    return v


def validate(data, smoke):
    """Check the rows for consistency; return (heaps, bench, frag)."""
    heaps = {}
    for r in data['heaps.csv'][1]:
        if r['heap'] in heaps:
            raise Malformed(f'heap {r["heap"]} listed twice')
        if r['kind'] not in ('system', 'cma', 'region', 'other'):
            raise Malformed(f'unknown kind in {r}')
        if r['capped'] not in ('0', '1'):
            raise Malformed(f'capped is not 0/1 in {r}')
        r['largest'] = num(r, 'largest')
        if not r['largest']:
            raise Malformed(f'heap {r["heap"]} could not allocate anything')
        heaps[r['heap']] = r
    if 'system' not in heaps:
        raise Malformed('no system heap')

    bench = {}
    for r in data['bench.csv'][1]:
        if r['test'] not in TESTS:
            raise Malformed(f'unknown test in {r}')
        if r['size_kind'] not in ('fixed', 'largest'):
            raise Malformed(f'unknown size_kind in {r}')
        if r['heap'] != 'memset' and r['heap'] not in heaps:
            raise Malformed(f'row for an unlisted heap: {r}')
        if (r['heap'] == 'memset') != r['test'].startswith('memset'):
            raise Malformed(f'memset rows are the baseline\'s only: {r}')
        for k in ('size', 'n', 'median_ns', 'p99_ns', 'min_ns'):
            r[k] = num(r, k)
        if not r['n'] or not r['size']:
            raise Malformed(f'empty measurement: {r}')
        if not r['min_ns'] <= r['median_ns'] <= r['p99_ns']:
            raise Malformed(f'min <= median <= p99 does not hold: {r}')
        for k in ('x_system', 'x_memset'):
            r[k] = num(r, k, float) if r[k] else None
        if r['test'] == 'alloc_free' and r['x_memset'] is None:
            raise Malformed(f'alloc_free row without a paired ratio to memset: {r}')
        if r['heap'] == 'system' and r['test'] != 'memset' and r['x_system'] != 1.0:
            raise Malformed(f'the system heap is not 1.0x itself: {r}')
        key = (r['heap'], r['test'], r['size'])
        if key in bench:
            raise Malformed(f'duplicate row {key}')
        bench[key] = r

    fixed = (4 * KB, 64 * KB) if smoke else (4 * KB, 64 * KB, MB, 16 * MB)
    for name, h in heaps.items():
        for size in fixed:
            if size > h['largest']:
                continue
            want = ['alloc_free']
            if h['cpu_access'] != 'none':
                want += ['map_touch', 'read']
            for t in want:
                if (name, t, size) not in bench:
                    raise Malformed(f'no {t} row for {name} at {size} bytes')
    for (heap, test, size) in list(bench):
        if heap != 'memset' and ('memset', 'memset', size) not in bench:
            raise Malformed(f'no memset baseline at {size} bytes')
        if heap != 'system' and heap != 'memset' and test != 'memset' and \
                ('system', test, size) not in bench and heaps['system']['cpu_access'] != 'none':
            raise Malformed(f'no system heap row for {test} at {size} bytes')

    frag = {}
    for r in data['frag.csv'][1]:
        if r['heap'] not in heaps or heaps[r['heap']]['kind'] != 'region':
            raise Malformed(f'fragmentation row for a heap without stats: {r}')
        for k in ('size', 'ops', 'allocs', 'frees', 'failed', 'used', 'free',
                  'largest_alloc', 'largest_free_stats', 'churn_ns'):
            r[k] = num(r, k)
        r['ratio'] = num(r, 'ratio', float)
        if r['allocs'] + r['frees'] + r['failed'] < r['ops'] or r['allocs'] < r['frees']:
            raise Malformed(f'churn counts do not add up: {r}')
        if r['used'] + r['free'] != r['size'] or r['largest_alloc'] > r['free']:
            raise Malformed(f'sizes do not add up: {r}')
        if r['free'] and abs(r['ratio'] - r['largest_alloc'] / r['free']) > 1e-3:
            raise Malformed(f'ratio is not largest_alloc / free: {r}')
        if r['clear_ahead'] not in ('0', '1'):
            raise Malformed(f'clear_ahead is not 0/1 in {r}')
        r['clear_ahead'] = r['clear_ahead'] == '1'
        r['base'] = int(r['base'], 16)
        frag.setdefault(r['heap'], []).append(r)
    for name, h in heaps.items():
        if h['kind'] == 'region' and name not in frag:
            raise Malformed(f'no fragmentation row for {name}')

    dmem = {}
    for r in data['dmem.csv'][1]:
        if r['heap'] not in heaps or heaps[r['heap']]['kind'] != 'region':
            raise Malformed(f'dmem row for a heap without a region: {r}')
        if r['heap'] in dmem:
            raise Malformed(f'dmem row for {r["heap"]} twice')
        for k in ('n', 'root_median_ns', 'limited_median_ns'):
            r[k] = num(r, k)
        r['x_root'] = num(r, 'x_root', float)
        if not r['n'] or not r['root_median_ns'] or not r['limited_median_ns']:
            raise Malformed(f'empty dmem measurement: {r}')
        dmem[r['heap']] = r

    idle = {}
    for r in data['idle.csv'][1]:
        if r['heap'] not in heaps or heaps[r['heap']]['kind'] != 'region':
            raise Malformed(f'idle row for a heap without a region: {r}')
        for k in ('size', 'n', 'median_ns', 'p99_ns', 'k4_median_ns'):
            r[k] = num(r, k)
        r['x_4k'] = num(r, 'x_4k', float)
        if not r['n'] or not r['median_ns'] or not r['k4_median_ns'] or \
                r['median_ns'] > r['p99_ns']:
            raise Malformed(f'empty or inconsistent idle measurement: {r}')
        key = (r['heap'], r['size'])
        if key in idle:
            raise Malformed(f'duplicate idle row {key}')
        idle[key] = r
    tight = {}
    for r in data['tight.csv'][1]:
        if r['heap'] not in heaps or heaps[r['heap']]['kind'] != 'region':
            raise Malformed(f'tight row for a heap without a region: {r}')
        for k in ('size', 'n', 'median_ns', 'p99_ns', 'mean_ns', 'off_median_ns'):
            r[k] = num(r, k)
        r['inline_pct'] = num(r, 'inline_pct', float)
        r['x_off'] = num(r, 'x_off', float)
        if not r['off_median_ns'] or not r['x_off']:
            raise Malformed(f'back-to-back row without its clear_ahead off series: {r}')
        if r['inline_pct'] > 100:
            raise Malformed(f'more cleared inline than allocated: {r}')
        if not r['n'] or not r['median_ns'] or r['median_ns'] > r['p99_ns'] or \
                not r['mean_ns'] or r['mean_ns'] > r['p99_ns']:
            raise Malformed(f'empty or inconsistent back-to-back measurement: {r}')
        tight[(r['heap'], r['size'])] = r
    for name, rows in frag.items():
        if rows[0]['clear_ahead'] and heaps[name]['cpu_access'] != 'none' and \
                not (any(k[0] == name for k in idle) and
                     any(k[0] == name for k in tight)):
            raise Malformed(f'{name} clears ahead but has no idle or back-to-back row')
    return heaps, bench, frag, dmem, idle, tight


def size_str(b):
    if b % MB == 0:
        return f'{b // MB} MiB'
    if b % KB == 0:
        return f'{b // KB} KiB'
    return f'{b} B'


def us(ns):
    return f'{ns / 1000:.1f}'


def xr(r, key):
    return '-' if r is None or r[key] is None else f'{r[key]:.2f}x'


def tight_ratio(bench, name, size, r):
    """Back to back alloc+free of one heap against the idle memset."""
    mi = bench.get(('memset', 'memset_idle', size))
    return r['median_ns'] / mi['median_ns'] if mi else None


def tables(heaps, bench, frag, dmem, idle, tight):
    out = []
    w = max(len(h) for h in heaps) + 2
    sizes = sorted({k[2] for k in bench if k[1] == 'alloc_free'})

    out.append('alloc+free latency (DMA_HEAP_IOCTL_ALLOC + close), median and '
               'p99 in microseconds;')
    out.append('ratios are medians of ratios between samples of the same round '
               '(heaps of one size are measured interleaved)')
    out.append(f'{"heap":<{w}}{"size":>10}{"n":>6}{"median":>11}{"p99":>11}'
               f'{"x system":>10}{"x memset":>10}')
    for name in heaps:
        for size in sizes:
            r = bench.get((name, 'alloc_free', size))
            if not r:
                continue
            tag = ' (largest)' if r['size_kind'] == 'largest' else ''
            out.append(f'{name:<{w}}{size_str(size):>10}{r["n"]:>6}'
                       f'{us(r["median_ns"]):>11}{us(r["p99_ns"]):>11}'
                       f'{xr(r, "x_system"):>10}{xr(r, "x_memset"):>10}{tag}')
    out.append('')
    out.append('memset of a buffer the program owns (the zeroing limit): '
               'interleaved with the heaps, and with every heap idle')
    for size in sizes:
        for test, label in (('memset', 'memset'), ('memset_idle', 'idle')):
            m = bench.get(('memset', test, size))
            if m:
                out.append(f'{label:<{w}}{size_str(size):>10}{m["n"]:>6}'
                           f'{us(m["median_ns"]):>11}{us(m["p99_ns"]):>11}'
                           f'{"":>10}{m["size"] / m["median_ns"] * 1e9 / (MB * 1024):>8.2f} GiB/s')
    out.append('')
    out.append('CPU access: mmap + first write to every page + munmap, and a '
               'sequential read of a mapped buffer (median, us)')
    out.append(f'{"heap":<{w}}{"size":>10}{"map+touch":>11}{"x system":>10}'
               f'{"read":>11}{"x system":>10}')
    for name in heaps:
        for size in sizes:
            t = bench.get((name, 'map_touch', size))
            r = bench.get((name, 'read', size))
            if not t or not r:
                continue
            out.append(f'{name:<{w}}{size_str(size):>10}{us(t["median_ns"]):>11}'
                       f'{xr(t, "x_system"):>10}{us(r["median_ns"]):>11}'
                       f'{xr(r, "x_system"):>10}')
    out.append('')
    if frag:
        f0 = next(iter(frag.values()))[0]
        out.append(f'fragmentation: {f0["ops"]} seeded alloc/free operations '
                   f'at {f0["fill_pct"]}% fill, then the largest allocatable '
                   'block as a share of the free space')
        out.append(f'{"heap":<{w}}{"size":>10}{"seed":>10}{"allocs":>8}{"failed":>8}'
                   f'{"used":>12}{"free":>12}{"largest":>12}{"of free":>9}  clears ahead')
        for name, rows in frag.items():
            for r in rows:
                out.append(f'{name:<{w}}{size_str(r["size"]):>10}{r["seed"]:>10}'
                           f'{r["allocs"]:>8}{r["failed"]:>8}'
                           f'{r["used"] / MB:>8.1f} MiB{r["free"] / MB:>8.1f} MiB'
                           f'{r["largest_alloc"] / MB:>8.1f} MiB{100 * r["ratio"]:>8.1f}%'
                           f'  {"yes" if r["clear_ahead"] else "no"}')
        out.append('')

    if idle:
        out.append('alloc+free from an idle heap (clear backlog empty), each '
                   'paired with a 4 KiB alloc+free from the idle heap (median, us)')
        out.append(f'{"heap":<{w}}{"size":>10}{"n":>6}{"median":>11}{"p99":>11}'
                   f'{"4 KiB":>11}{"x 4 KiB":>10}')
        for (name, size), r in idle.items():
            out.append(f'{name:<{w}}{size_str(size):>10}{r["n"]:>6}'
                       f'{us(r["median_ns"]):>11}{us(r["p99_ns"]):>11}'
                       f'{us(r["k4_median_ns"]):>11}{r["x_4k"]:>9.2f}x')
        out.append('')

    if tight:
        out.append('alloc+free back to back on one heap, nothing in between: the '
                   'background clearing cannot keep up (us; inline: the share of '
                   'the allocated bytes the allocations cleared themselves; off: '
                   'the same with clear_ahead off, every allocation clearing '
                   'inline as before clear-ahead, in series paired with these; '
                   'x off: the median of the paired ratios; x memset: the '
                   'median\'s, against the idle memset)')
        out.append(f'{"heap":<{w}}{"size":>10}{"n":>6}{"median":>11}{"mean":>11}'
                   f'{"p99":>11}{"inline":>8}{"off":>11}{"x off":>8}'
                   f'{"x memset":>10}')
        for (name, size), r in tight.items():
            v = tight_ratio(bench, name, size, r)
            xm = f'{v:.2f}x' if v is not None else '-'
            out.append(f'{name:<{w}}{size_str(size):>10}{r["n"]:>6}'
                       f'{us(r["median_ns"]):>11}{us(r["mean_ns"]):>11}'
                       f'{us(r["p99_ns"]):>11}{r["inline_pct"]:>7.0f}%'
                       f'{us(r["off_median_ns"]):>11}{r["x_off"]:>7.2f}x{xm:>10}')
        out.append('')

    if dmem:
        out.append('dmem cgroup charge: 4 KiB alloc+free in the root cgroup and '
                   'in a child with dmem.max set, in alternating blocks of 16 (median, us; '
                   'the median of 3 passes)')
        out.append(f'{"heap":<{w}}{"n":>6}{"root":>11}{"limited":>11}{"x root":>10}')
        for name, r in dmem.items():
            out.append(f'{name:<{w}}{r["n"]:>6}{us(r["root_median_ns"]):>11}'
                       f'{us(r["limited_median_ns"]):>11}{r["x_root"]:>9.3f}x')
        out.append('')
    else:
        out.append('dmem cgroup charge: no dmem controller in this kernel')
        out.append('')

    out.append('targets (carveout = every heap with a debugfs region, '
               'paired ratios)')
    for name, h in heaps.items():
        if h['kind'] != 'region':
            continue
        r = bench.get((name, 'alloc_free', 4 * KB))
        if r and r['x_system'] is not None:
            v = r['x_system']
            out.append(f'  {name}: 4 KiB alloc+free {v:.2f}x system heap '
                       f'(target <= {TARGET_4K_VS_SYSTEM}x): '
                       f'{"met" if v <= TARGET_4K_VS_SYSTEM else "MISSED"}')
        if h['cpu_access'] == 'none':
            out.append(f'  {name}: no CPU access, nothing is cleared: '
                       'memset target not applicable')
        else:
            for size in sizes:
                r = bench.get((name, 'alloc_free', size))
                if size < MB or not r:
                    continue
                v = r['x_memset']
                # Also against the memset measured with every heap idle
                # (not paired); the verdict takes the worse of the two.
                mi = bench.get(('memset', 'memset_idle', size))
                vi = r['median_ns'] / mi['median_ns'] if mi else v
                out.append(f'  {name}: {size_str(size)} alloc+free {v:.2f}x memset '
                           f'({vi:.2f}x the memset with the heaps idle) '
                           f'(target <= {TARGET_LARGE_VS_MEMSET}x): '
                           f'{"met" if max(v, vi) <= TARGET_LARGE_VS_MEMSET else "MISSED"}')
        for (iname, size), r in idle.items():
            if iname == name:
                v = r['x_4k']
                out.append(f'  {name}: {size_str(size)} alloc+free from the idle heap '
                           f'{v:.2f}x its 4 KiB alloc+free (target <= {TARGET_IDLE_VS_4K}x): '
                           f'{"met" if v <= TARGET_IDLE_VS_4K else "MISSED"}')
        for (tname, size), r in tight.items():
            if tname == name:
                v = r['x_off']
                out.append(f'  {name}: {size_str(size)} alloc+free back to back '
                           f'{v:.2f}x the same with clear_ahead off, i.e. clearing '
                           f'inline as before (target <= {TARGET_TIGHT_VS_OFF}x): '
                           f'{"met" if v <= TARGET_TIGHT_VS_OFF else "MISSED"}')
        rows = frag.get(name)
        if rows:
            v = sorted(r['ratio'] for r in rows)
            med = v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2
            out.append(f'  {name}: largest block after churn {100 * med:.1f}% of free, '
                       f'median of {len(v)} seeds, range {100 * v[0]:.1f}-{100 * v[-1]:.1f}% '
                       f'(target >= {100 * TARGET_FRAG:.0f}%): '
                       f'{"met" if med >= TARGET_FRAG else "MISSED"}')
        r = dmem.get(name)
        if r:
            v = r['x_root']
            out.append(f'  {name}: 4 KiB alloc+free with dmem.max set {v:.3f}x '
                       f'the root cgroup (target <= {TARGET_DMEM}x): '
                       f'{"met" if v <= TARGET_DMEM else "MISSED"}')
    return '\n'.join(out)


PLOT_STYLE = """set terminal svg size 800,560 dynamic font 'sans,11'
set logscale xy
set xlabel 'buffer size'
set ylabel 'alloc+free, median (us)'
set key left top
set grid
"""


def plot(outdir):
    """One SVG per heap and one with every heap, drawn by gnuplot."""
    import subprocess
    rows = list(csv.DictReader(open(os.path.join(outdir, 'bench.csv'))))
    idle = list(csv.DictReader(open(os.path.join(outdir, 'idle.csv'))))
    series = {}
    for r in rows:
        if r['test'] in ('alloc_free', 'memset'):
            series.setdefault(r['heap'], []).append(
                (int(r['size']), int(r['median_ns']) / 1000))
    idle_s = {}
    for r in idle:
        idle_s.setdefault(r['heap'], []).append(
            (int(r['size']), int(r['median_ns']) / 1000))

    def dat(name, pts):
        path = os.path.join(outdir, f'plot-{name}.dat')
        with open(path, 'w') as f:
            for x, y in sorted(pts):
                f.write(f'{x} {y:.3f}\n')
        return path

    def safe(name):
        return re.sub(r'[^A-Za-z0-9_.-]', '_', name)

    def q(path):
        return "'" + path.replace("'", "''") + "'"

    sizes, last = [], 0
    for x in sorted({x for pts in series.values() for x, _ in pts}):
        if x >= 2 * last:   # labels at least a factor of 2 apart
            sizes.append(x)
            last = x
    style = PLOT_STYLE + 'set xtics (' + ', '.join(
        f'"{size_str(x)}" {x}' for x in sizes) + ')\n'
    mem = dat('memset', series.get('memset', []))
    sysd = dat('system', series.get('system', []))
    scripts = []
    for heap, pts in series.items():
        if heap in ('memset',):
            continue
        svg = os.path.join(outdir, f'latency-{safe(heap)}.svg')
        lines = [f"{q(dat(safe(heap), pts))} using 1:2 with linespoints lw 2 title 'alloc+free'"]
        if heap in idle_s:
            lines.append(f"{q(dat(safe(heap) + '-idle', idle_s[heap]))} using 1:2 with points pt 7 ps 1.2 title 'alloc+free, idle heap'")
        if heap != 'system':
            lines.append(f"{q(sysd)} using 1:2 with lines dt 2 title 'system heap'")
        lines.append(f"{q(mem)} using 1:2 with lines dt 3 title 'memset (own buffer)'")
        scripts.append(style + f"set output {q(svg)}\n"
                       f"set title {q(heap + ': alloc+free latency against size (QEMU TCG)')}\n"
                       'plot ' + ', \\\n     '.join(lines) + '\n')
    lines = []
    for heap, pts in series.items():
        how = 'lines dt 3' if heap == 'memset' else 'linespoints'
        lines.append(f"{q(dat(safe(heap), pts))} using 1:2 with {how} title {q(heap)}")
    scripts.append(style + f"set output {q(os.path.join(outdir, 'latency.svg'))}\n"
                   "set title 'alloc+free latency against size, every heap (QEMU TCG)'\n"
                   'plot ' + ', \\\n     '.join(lines) + '\n')
    script = os.path.join(outdir, 'latency.gp')
    with open(script, 'w') as f:
        f.write('\n'.join(scripts))
    subprocess.run(['gnuplot', script], check=True)
    n = len(scripts)
    print(f'bench: {n} plots (log-log SVG) in {outdir}/latency*.svg')
    return 0


def main():
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == 'plot':
        return plot(args[1])
    if len(args) == 3 and args[0] == 'report':
        _, logfile, outdir = args
        try:
            data = extract(logfile)
            parsed = validate(data, smoke=False)
        except Malformed as e:
            print(f'bench: {logfile}: {e}', file=sys.stderr)
            return 1
        os.makedirs(outdir, exist_ok=True)
        for name, (lines, _) in data.items():
            with open(os.path.join(outdir, name), 'w') as f:
                f.write('\n'.join(lines) + '\n')
        text = tables(*parsed)
        with open(os.path.join(outdir, 'table.txt'), 'w') as f:
            f.write(text + '\n')
        print(text)
        return 0
    if len(args) == 3 and args[0] == 'smoke':
        _, scn, logfile = args
        ok, detail = True, 'csv well formed'
        try:
            validate(extract(logfile), smoke=True)
        except Malformed as e:
            ok, detail = False, str(e)
            print(f'  {scn}/bench-csv: {detail}')
        with open(os.path.join(os.environ['BUILD'], 'results.txt'), 'a') as f:
            f.write(f'TEST {scn}/bench-csv {int(ok)} {int(not ok)} 0 '
                    f'{"csv well formed" if ok else "malformed csv"}\n')
        return 0 if ok else 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main())
