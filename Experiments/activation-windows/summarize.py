#!/usr/bin/env python3
"""Markdown tables from uniform.tsv (Experiments/activation-windows/run.sh): per task and split, top-1 accuracy (%)
at W16Ab and at WbAb with no activation windows (`none`), the histogram criterion (`all`; for kws also on the model
recalibrated on other clips) and each output-criterion table (`all-output`, one column per label), with the change
from the histogram criterion of the same ranges in points (kws: the recalibrated model's)."""
import csv, sys

rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
acc, info, order, labels = {}, {}, [], []
for r in rows:
    w, b = int(r["weightBits"]), int(r["activationBits"])
    acc[(r["task"], r["split"], "W16" if w == 16 else "Wb", b, r["model"], r["windowSearch"])] = float(r["accuracy"]) * 100
    info[(r["task"], r["split"])] = (float(r["floatAccuracy"]) * 100, r["images"])
    if (r["task"], r["split"]) not in order: order.append((r["task"], r["split"]))
    if r["windowSearch"] == "all-output" and r["model"] not in labels: labels.append(r["model"])
def cell(v): return "–" if v is None else "%.2f" % v
def delta(v, base): return "–" if v is None or base is None else "%+.2f" % (v - base)
out = []
for (task, split) in order:
    f, n = info[(task, split)]
    out.append(f"\n**{task}, {split}** ({n} inputs; float {f:.2f} %)\n")
    kws = task == "kws"
    head = ["b"]
    for cfg in ["W16", "Wb"]:
        if cfg == "W16": head.append("W16Ab none")
        head.append(f"{cfg}Ab histogram")
        if kws: head.append(f"{cfg}Ab histogram (recal.)")
        for l in labels: head += [f"{cfg}Ab output {l}", "Δ"]
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "---|" * len(head))
    for b in sorted({k[3] for k in acc if k[0] == task and k[1] == split}, reverse=True):
        g = lambda cfg, model, mode: acc.get((task, split, cfg, b, model, mode))
        cells = [str(b)]
        for cfg in ["W16", "Wb"]:
            if cfg == "W16": cells.append(cell(g(cfg, "shipped", "none")))
            cells.append(cell(g(cfg, "shipped", "all")))
            if kws: cells.append(cell(g(cfg, "recalibrated", "all")))
            base = g(cfg, "recalibrated" if kws else "shipped", "all")
            for l in labels:
                v = g(cfg, l, "all-output")
                cells += [cell(v), delta(v, base)]
        out.append("| " + " | ".join(cells) + " |")
print("\n".join(out))
