#!/usr/bin/env python3
"""Markdown table (validation / test accuracy in %) from a run.sh TSV: one row per bit-width, one column per mode."""
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip() and not l.startswith("#")][1:]
acc = {(int(w), m, s): float(a) for w, _, m, s, a in rows}
modes = ["none", "weights", "activations", "all"]
print("| bits | " + " | ".join(modes) + " |")
print("|---|" + "---|" * len(modes))
for bits in sorted({k[0] for k in acc}, reverse=True):
    cells = [f"{100 * acc[(bits, m, 'validation')]:.2f} / {100 * acc[(bits, m, 'test')]:.2f}" for m in modes]
    print(f"| {bits} | " + " | ".join(cells) + " |")
