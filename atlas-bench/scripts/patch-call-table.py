#!/usr/bin/env python3
"""Tabulate a JMH JSON result of PatchCallBenchmark / DispatchPartsBenchmark (-rf json, run
with -prof gc and -prof dev.atlas.bench.CpuTimeProfiler) as a Markdown table: score ± error,
the fastest iteration, CPU time per op (median over iterations), the CPUs the workers got
(median), allocation per op, and the ratios of the CPU time per op against case 1 (plain) and
case 5 (refThreadLocal) of the same call shape and thread count (DispatchPartsBenchmark rows:
against the one-thread, inlined shape).

usage: patch-call-table.py RESULT.json
"""
import json
import statistics
import sys


def raw(metric):
    return [x for fork in metric['rawData'] for x in fork]


def main():
    with open(sys.argv[1]) as f:
        results = json.load(f)
    rows = {}
    for b in results:
        cls, name = b['benchmark'].split('.')[-2:]
        threads = b['threads']
        sec = b.get('secondaryMetrics', {})
        pm = b['primaryMetric']
        rows[(cls, name, threads)] = {
            'score': pm['score'], 'err': pm['scoreError'], 'min': min(raw(pm)),
            'cpu': statistics.median(raw(sec['cpu.worker.norm'])) if 'cpu.worker.norm' in sec else float('nan'),
            'util': statistics.median(raw(sec['cpu.worker.util'])) if 'cpu.worker.util' in sec else float('nan'),
            'alloc': sec['gc.alloc.rate.norm']['score'] if 'gc.alloc.rate.norm' in sec else float('nan'),
        }
    print('| benchmark | thr | ns/op ± err | min | cpu ns/op | CPUs | B/op | cpu ÷ 1 (plain) | cpu ÷ 5 (refThreadLocal) |')
    print('|---|---|---|---|---|---|---|---|---|')
    for (cls, name, threads), r in rows.items():
        call = name.endswith('Call')
        base = ('plainCall' if call else 'plain')
        ref = ('refThreadLocalCall' if call else 'refThreadLocal')
        p = rows.get((cls, base, threads)) if cls != 'DispatchPartsBenchmark' else rows.get(('OneThread', 'plain', 1))
        q = rows.get((cls, ref, threads)) if cls != 'DispatchPartsBenchmark' else rows.get(('OneThread', 'refThreadLocal', 1))
        r1 = f"{r['cpu'] / p['cpu']:.2f}" if p else '–'
        r5 = f"{r['cpu'] / q['cpu']:.2f}" if q else '–'
        label = name if cls != 'DispatchPartsBenchmark' else 'parts.' + name
        print(f"| {label} | {threads} | {r['score']:.2f} ± {r['err']:.2f} | {r['min']:.2f} | {r['cpu']:.2f} | "
              f"{r['util']:.2f} | {r['alloc']:.3f} | {r1} | {r5} |")


if __name__ == '__main__':
    main()
