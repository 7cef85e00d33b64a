#!/usr/bin/env python3
"""Hypervolume of each algorithm over seeds, from the Pareto JSON files that run.sh wrote (stdlib only)."""
import json, statistics, sys
from pathlib import Path

directory = Path(sys.argv[1])
runs = {}
meta = None
for path in sorted(directory.glob("*-seed*.json")):
    doc = json.loads(path.read_text())
    algorithm = doc["search"]["algorithm"]
    runs.setdefault(algorithm, []).append((doc["search"]["seed"], doc["hypervolume"]["final"], len(doc["points"]),
                                           doc["effort"]["evaluations"], doc["timing"].get("wallSeconds")))
    meta = meta or doc
if not runs:
    sys.exit(f"no *-seed*.json files in {directory}")
print(f"Model {meta['model']['name']} ({meta['model']['sha256'][:12]}), commit {meta['provenance']['commit']}, "
      f"validation images {meta['data']['validation']['images']}, energy model {meta['energyModel']['name']}, "
      f"window search {meta['model'].get('windowSearch', 'none')}")
print(f"Command: {' '.join(meta['provenance']['commandLine'])} (algorithm and seed varied)\n")
print("| algorithm | seeds | evaluations | hypervolume mean | std | min | max | front size (mean) |")
print("|---|---|---|---|---|---|---|---|")
for algorithm in ("annealing", "nsga2", "hybrid"):
    if algorithm not in runs:
        continue
    hv = [r[1] for r in runs[algorithm]]
    sd = statistics.stdev(hv) if len(hv) > 1 else 0.0
    print(f"| {algorithm} | {len(hv)} | {runs[algorithm][0][3]} | {statistics.mean(hv):.4f} | {sd:.4f} | "
          f"{min(hv):.4f} | {max(hv):.4f} | {statistics.mean(r[2] for r in runs[algorithm]):.1f} |")
print("\nPer seed: " + "; ".join(f"{a} " + ", ".join(f"s{r[0]} {r[1]:.4f}" for r in sorted(runs[a]))
                                 for a in sorted(runs)))
