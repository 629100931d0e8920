#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Replay heaps-bench's fragmentation churn against other allocators.

fragsim.py FRAG_CSV
    For every row of frag.csv (one heap, one seed), regenerate the exact
    sequence of requests heaps-bench made (same generator, same seed, same
    fill rule) and run it through models of the gen_pool algorithms a
    carveout could use. Prints, per heap, the largest free block as a share
    of the free space at the end for each algorithm.

The model of the carveout heap's policy (carveout_fit() in
drivers/dma-buf/heaps/carveout_heap.c) must reproduce the kernel's measured
result exactly, byte for byte, for every row of a heap that does not clear
ahead of allocation: that validates the replay, and the other algorithms
then differ from it only in where they place buffers. Heaps clearing ahead
also prefer ranges already clear, which depends on the timing of the
background clearing: their rows are replayed, not checked. Exits non-zero
when a checked row does not match.

Then, for each region size, the "sized for its buffers" case: a region
exactly filled with N equal buffers (N = 2..8, sizes rounded down to whole
pages), for every policy: a policy that leaves gaps to align buffers can
fail the last one.
"""
import csv
import sys

MASK = (1 << 64) - 1
PAGE = 4096
CHURN_MIN = 4096
CHURN_MAX_DIV = 16
MAX_LIVE = 4096


class Rng:
    """xorshift64*, as in harness/guest/guest-lib.c (heaps-bench.c seeds it)"""

    def __init__(self, seed, name):
        s = seed ^ 0x9e3779b97f4a7c15
        for c in name.encode():
            s = ((s ^ c) * 0x100000001b3) & MASK
        self.s = s or 1

    def next(self):
        s = self.s
        s ^= s >> 12
        s ^= (s << 25) & MASK
        s ^= s >> 27
        self.s = s
        return (s * 2685821657736338717) & MASK


def churn_size(rng, lo_b, hi_b):
    lo, hi = lo_b.bit_length() - 1, hi_b.bit_length() - 1
    order = lo + rng.next() % (hi - lo + 1)
    n = (1 << order) + rng.next() % (1 << order)
    n = (n + PAGE - 1) // PAGE * PAGE
    return min(max(n, lo_b), hi_b)


class Pool:
    """Free extents of a region, in pages; place() picks where a request goes."""

    def __init__(self, pages, place):
        self.free = [(0, pages)]     # sorted (start, length)
        self.place = place

    def alloc(self, n):
        at = self.place(self.free, n)
        if at is None:
            return None
        for i, (s, l) in enumerate(self.free):
            if s <= at and at + n <= s + l:
                rest = [(s, at - s)] if at > s else []
                if at + n < s + l:
                    rest.append((at + n, s + l - at - n))
                self.free[i:i + 1] = rest
                return at
        raise AssertionError('placement outside a free extent')

    def release(self, at, n):
        f = self.free
        i = 0
        while i < len(f) and f[i][0] < at:
            i += 1
        f.insert(i, (at, n))
        if i + 1 < len(f) and at + n == f[i + 1][0]:
            f[i] = (at, n + f[i + 1][1])
            del f[i + 1]
        if i and f[i - 1][0] + f[i - 1][1] == at:
            f[i - 1] = (f[i - 1][0], f[i - 1][1] + f[i][1])
            del f[i]

    def largest(self):
        return max((l for _, l in self.free), default=0)


def first_fit(free, n):
    """gen_pool_first_fit: the lowest address with room."""
    for s, l in free:
        if l >= n:
            return s
    return None


def best_fit(free, n):
    """gen_pool_best_fit: the smallest hole with room, lowest on ties."""
    best = None
    for s, l in free:
        if l >= n and (best is None or l < best[1]):
            best = (s, l)
            if l == n:
                break
    return best[0] if best else None


def order_align(free, n):
    """gen_pool_first_fit_order_align: first fit, start aligned to the size's
    power of two (as the CMA heap aligns)."""
    a = 1 << (n - 1).bit_length()
    for s, l in free:
        at = (s + a - 1) // a * a
        if at + n <= s + l:
            return at
    return None


def two_ended(limit_pages):
    """Best fit, but requests below the limit take the top of the highest
    best-fitting hole and larger ones the bottom of the lowest: small
    buffers collect at the top of the region, large ones at the bottom."""
    def place(free, n):
        if n >= limit_pages:
            return best_fit(free, n)
        best = None
        for s, l in free:
            if l >= n and (best is None or l <= best[1]):
                best = (s, l)
        return best[0] + best[1] - n if best else None
    return place


SMALL_PAGES = 64      # 256 KiB: smaller buffers go to the top of their hole
BLOCK_PAGES = 512     # 2 MiB


def carveout_fit(base_pages, strict=False):
    """carveout_fit(): best fit; buffers below 256 KiB at the top of the
    smallest hole (the highest of equal ones), larger ones at its bottom,
    or at its top if only the top gives a 2 MiB aligned start (physical
    address: the region's base counts). With strict, buffers of 2 MiB and
    more go to the first 2 MiB boundary of the smallest hole that has room
    for them aligned, leaving a gap below (evaluated, not used)."""
    def aligned(p):
        return (base_pages + p) % BLOCK_PAGES == 0

    def place(free, n):
        small = n < SMALL_PAGES
        if strict and n >= BLOCK_PAGES:
            best = None
            for s, l in free:
                lo = -(-(base_pages + s) // BLOCK_PAGES) * BLOCK_PAGES - base_pages
                if lo + n <= s + l and (best is None or l < best[1]):
                    best = (lo, l)
            if best:
                return best[0]
        best = None
        for s, l in free:
            if l >= n and (best is None or l < best[1] or (small and l == best[1])):
                best = (s, l)
        if best is None:
            return None
        s, l = best
        top = s + l - n
        if small or (n >= BLOCK_PAGES and not aligned(s) and aligned(top)):
            return top
        return s
    return place


CURRENT = 'carveout_fit (current)'


def algos(base_pages):
    return [
        (CURRENT, carveout_fit(base_pages)),
        ('best-fit (before)', best_fit),
        ('first-fit', first_fit),
        ('first-fit-order-align', order_align),
        ('carveout_fit, strict 2 MiB align', carveout_fit(base_pages, strict=True)),
    ]


def exact_fill(size, base_pages, place):
    """Fill a region with N equal buffers, N = 2..8: the N that fail."""
    failed = []
    for n in range(2, 9):
        pages = size // PAGE
        pool = Pool(pages, place)
        each = pages // n
        if not all(pool.alloc(each) is not None for _ in range(n)):
            failed.append(n)
    return failed


def replay(row, place):
    size = int(row['size'])
    pages = size // PAGE
    rng = Rng(int(row['seed']), row['heap'])
    pool = Pool(pages, place)
    target = size // 100 * int(row['fill_pct'])
    live, used = [], 0
    for _ in range(int(row['ops'])):
        n = churn_size(rng, CHURN_MIN, size // CHURN_MAX_DIV)
        if len(live) < MAX_LIVE and (not live or used + n <= target):
            at = pool.alloc(n // PAGE)
            if at is not None:
                live.append((at, n // PAGE))
                used += n
                continue
            if not live:
                continue
        i = rng.next() % len(live)
        pool.release(*live[i])
        used -= live[i][1] * PAGE
        live[i] = live[-1]
        live.pop()
    return used, pool.largest() * PAGE


def main():
    rows = list(csv.DictReader(open(sys.argv[1])))
    ok = True
    res, checked, regions = {}, {}, {}
    for row in rows:
        base_pages = int(row['base'], 16) // PAGE
        regions[row['heap']] = (int(row['size']), base_pages)
        if int(row['used']) != int(row['size']) - int(row['free']):
            ok = False
        clears = row['clear_ahead'] == '1'
        checked[row['heap']] = not clears
        for name, place in algos(base_pages):
            used, largest = replay(row, place)
            free = int(row['size']) - used
            if name == CURRENT and not clears and (
                    used != int(row['used']) or
                    largest != int(row['largest_alloc'])):
                print(f'fragsim: {row["heap"]} seed {row["seed"]}: model gives '
                      f'used {used} largest {largest}, the kernel measured '
                      f'used {row["used"]} largest {row["largest_alloc"]}')
                ok = False
            res.setdefault(row['heap'], {}).setdefault(name, []).append(largest / free)
    w = max(len(h) for h in res) + 2
    print('allocator comparison: the same seeded churn replayed against models '
          'of the placement policies')
    print('(largest free block as a share of free space; median and range over '
          'seeds. The model of the current policy reproduces the kernel\'s '
          f'measurement {"exactly" if ok else "NOT exactly"} on the heaps that '
          'do not clear ahead; on those that do, the kernel also prefers '
          'clear memory, and its own figures are in the churn table)')
    for heap, al in res.items():
        for name, v in al.items():
            v = sorted(v)
            med = v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2
            mark = '' if name != CURRENT else \
                ('  = kernel' if checked[heap] else '  (kernel also prefers clear memory)')
            print(f'  {heap:<{w}}{name:<36}{100 * med:6.1f}%  '
                  f'({100 * v[0]:.1f}-{100 * v[-1]:.1f}%){mark}')
    print()
    print('region sized for its buffers: N equal buffers filling the region, '
          'N = 2..8; the N for which the last allocation fails')
    for heap, (size, base_pages) in regions.items():
        for name, place in algos(base_pages):
            failed = exact_fill(size, base_pages, place)
            print(f'  {heap:<{w}}{name:<36}'
                  f'{"all fit" if not failed else "fails for N = " + ", ".join(map(str, failed))}')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
