#!/usr/bin/env python3
"""Hypervolume of each algorithm over seeds, from the JSON files that run.sh wrote (stdlib only): the Pareto JSON
of `precsearch optimize` (annealing, nsga2, hybrid) and the JSON of pymoo_nsga2.py (pymoo-nsga2), all on the same
normalized objectives and reference point. Ends with a computed sentence saying which algorithm wins and by how
much."""
import json, statistics, sys
from pathlib import Path

ORDER = ("annealing", "nsga2", "hybrid", "guided", "pymoo-nsga2", "pymoo-nsga2-uniform")
PYMOO = ("pymoo-nsga2", "pymoo-nsga2-uniform")
NAMES = {"annealing": "our simulated annealing", "nsga2": "our NSGA-II", "hybrid": "our hybrid (annealing seeds NSGA-II)",
         "guided": "our sensitivity-guided search",
         "pymoo-nsga2": "pymoo's NSGA-II",
         "pymoo-nsga2-uniform": "pymoo's NSGA-II started from the uniform configurations"}

directory = Path(sys.argv[1])
runs = {}  # algorithm -> {seed: (hypervolume, front size, evaluations, search seconds)}
meta = None
pymoo_meta = None
for path in sorted(directory.glob("*-seed*.json")):
    doc = json.loads(path.read_text())
    if doc.get("algorithm") in PYMOO:
        runs.setdefault(doc["algorithm"], {})[doc["seed"]] = (
            doc["hypervolume"]["final"], len(doc["points"]), doc["evaluations"], doc["timing"]["searchSeconds"])
        pymoo_meta = pymoo_meta or doc
        continue
    algorithm = doc["search"]["algorithm"]
    runs.setdefault(algorithm, {})[doc["search"]["seed"]] = (
        doc["hypervolume"]["final"], len(doc["points"]), doc["effort"]["evaluations"], doc["timing"]["searchSeconds"])
    meta = meta or doc
if not runs:
    sys.exit(f"no *-seed*.json files in {directory}")
if meta:
    print(f"Model {meta['model']['name']} ({meta['model']['sha256'][:12]}), commit {meta['provenance']['commit']}, "
          f"validation images {meta['data']['validation']['images']}, energy model {meta['energyModel']['name']}, "
          f"window search {meta['model'].get('windowSearch', 'none')}")
    print(f"Command: {' '.join(meta['provenance']['commandLine'])} (algorithm and seed varied)")
if pymoo_meta:
    versions = pymoo_meta["versions"]
    print(f"pymoo: {versions['pymoo']} (numpy {versions['numpy']}, Python {versions['python']}), server commit "
          f"{versions['precsearch']['commit']}, model {pymoo_meta['model']['sha256'][:12]}, validation images "
          f"{pymoo_meta['data']['validationImages']}, energy model {pymoo_meta['energyModel']['name']}, "
          f"window search {pymoo_meta['model']['windowSearch']}, screening {pymoo_meta['screening']}, "
          f"population {pymoo_meta['populationSize']}")
    print(f"Command: {' '.join(Path(a).name if i < 2 else a for i, a in enumerate(pymoo_meta['command']))} "
          f"(seed and output varied; --initial uniform for pymoo-nsga2-uniform)")
print()
print("| algorithm | seeds | evaluations | hypervolume mean | std | min | max | front size (mean) | search s (mean) |")
print("|---|---|---|---|---|---|---|---|---|")
means = {}
for algorithm in ORDER:
    if algorithm not in runs:
        continue
    rows = runs[algorithm]
    hv = [r[0] for r in rows.values()]
    means[algorithm] = statistics.mean(hv)
    sd = statistics.stdev(hv) if len(hv) > 1 else 0.0
    evaluations = sorted({r[2] for r in rows.values()})
    print(f"| {algorithm} | {len(hv)} | {'/'.join(map(str, evaluations))} | {means[algorithm]:.4f} | {sd:.4f} | "
          f"{min(hv):.4f} | {max(hv):.4f} | {statistics.mean(r[1] for r in rows.values()):.1f} | "
          f"{statistics.mean(r[3] for r in rows.values()):.0f} |")
print("\nPer seed: " + "; ".join(f"{a} " + ", ".join(f"s{s} {runs[a][s][0]:.4f}" for s in sorted(runs[a]))
                                 for a in ORDER if a in runs))


def paired(a, b):
    """Mean hypervolume difference a - b over the seeds both have, and how many seeds each is ahead on."""
    seeds = sorted(set(runs[a]) & set(runs[b]))
    differences = [runs[a][s][0] - runs[b][s][0] for s in seeds]
    return (statistics.mean(differences) if differences else 0.0, sum(d > 0 for d in differences),
            sum(d < 0 for d in differences), len(seeds))


ranking = sorted(means, key=means.get, reverse=True)
winner = ranking[0]
print()
if len(ranking) > 1:
    runner = ranking[1]
    difference, ahead, behind, seeds = paired(winner, runner)
    print(f"Winner: {NAMES[winner]}, mean hypervolume {means[winner]:.4f}, ahead of {NAMES[runner]} "
          f"({means[runner]:.4f}) by {means[winner] - means[runner]:.4f} on average "
          f"({100 * (means[winner] - means[runner]) / means[runner]:.2f} %); paired by seed it is higher on {ahead} "
          f"of {seeds} seeds and lower on {behind}. Ranking by mean hypervolume: "
          + " > ".join(f"{a} {means[a]:.4f}" for a in ranking) + ".")
for variant in PYMOO:
    if variant not in runs:
        continue
    lines = []
    for ours in ("annealing", "nsga2", "hybrid"):
        if ours not in runs:
            continue
        difference, ahead, behind, seeds = paired(ours, variant)
        relation = "above" if difference > 0 else "below"
        lines.append(f"{NAMES[ours]} is {abs(difference):.4f} {relation} it on average "
                     f"(higher on {ahead} of {seeds} seeds, lower on {behind})")
    print(f"Against {NAMES[variant]} at equal evaluation counts: " + "; ".join(lines) + ".")
