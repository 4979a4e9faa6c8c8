#!/usr/bin/env python3
"""Summarise a JMH JSON result (-rf json) produced with -prof dev.atlas.bench.CpuTimeProfiler.

On a shared machine a two-thread benchmark only tests "no slowdown with more threads" in the
iterations where both threads actually ran at the same time. This script prints, per
benchmark, the median wall-clock score and the median CPU time per operation over all
measurement iterations, and again over the iterations in which the workers got at least
MIN_SHARE x (thread count) CPUs (default 0.9, i.e. >= 1.8 CPUs for two threads).

usage: jmh-by-util.py RESULT.json [MIN_SHARE]
"""
import json
import statistics
import sys


def main():
    path = sys.argv[1]
    share = float(sys.argv[2]) if len(sys.argv) > 2 else 0.9
    with open(path) as f:
        results = json.load(f)
    print(f"{'benchmark':<58} {'thr':>3} {'n':>3} {'wall':>7} {'cpu':>7} | "
          f"{'n>=' + format(share, '.1f') + 'T':>7} {'wall':>7} {'cpu':>7}")
    for b in results:
        name = b['benchmark'].split('ScopeBenchmark.')[-1]
        threads = b['threads']
        wall = [x for fork in b['primaryMetric']['rawData'] for x in fork]
        sec = b.get('secondaryMetrics', {})
        if 'cpu.worker.norm' not in sec:
            print(f"{name:<58} {threads:>3} {len(wall):>3} {statistics.median(wall):7.2f}")
            continue
        cpu = [x for fork in sec['cpu.worker.norm']['rawData'] for x in fork]
        util = [x for fork in sec['cpu.worker.util']['rawData'] for x in fork]
        busy = [(w, c) for w, c, u in zip(wall, cpu, util) if u >= share * threads]
        line = (f"{name:<58} {threads:>3} {len(wall):>3} {statistics.median(wall):7.2f} "
                f"{statistics.median(cpu):7.2f} | {len(busy):>7}")
        if busy:
            line += (f" {statistics.median(w for w, _ in busy):7.2f}"
                     f" {statistics.median(c for _, c in busy):7.2f}")
        print(line)


if __name__ == '__main__':
    main()
