#!/usr/bin/env python3
"""The guided-vs-hybrid table over every task and energy model that guided.sh wrote (stdlib only):
for each OUT/MODEL/ENERGY_MODEL folder, the hypervolume (normalized objectives, reference point [1.1, 1.1]) of
`hybrid` and `guided` over the seeds both have (mean, sample standard deviation, min, max), the paired difference
guided - hybrid (mean, and on how many seeds guided is higher / lower), the validation inferences each search ran
(`effort.imagesRun`: the work behind equal evaluation counts, since screening stops dominated configurations early),
and the evaluations and commits the JSONs record.

    python3 Experiments/search-quality/guided_table.py Results/search-quality/guided [Results/search-quality/guided-equal-work]
"""
import json, statistics, sys
from pathlib import Path

root = Path(sys.argv[1] if len(sys.argv) > 1 else "Results/search-quality/guided")
rows = []
for folder in sorted(p for p in root.glob("*/*") if p.is_dir()):
    runs = {}
    work = {}  # algorithm -> validation inferences run by the search (effort.imagesRun), per seed
    commits = set()
    evaluations = set()
    images = set()
    for path in sorted(folder.glob("*-seed*.json")):
        doc = json.loads(path.read_text())
        runs.setdefault(doc["search"]["algorithm"], {})[doc["search"]["seed"]] = doc["hypervolume"]["final"]
        work.setdefault(doc["search"]["algorithm"], {})[doc["search"]["seed"]] = doc["effort"]["imagesRun"]
        commits.add(doc["provenance"]["commit"][:7])
        evaluations.add(doc["effort"]["evaluations"])
        images.add(doc["data"]["validation"]["images"])
    if "hybrid" not in runs or "guided" not in runs:
        continue
    seeds = sorted(set(runs["hybrid"]) & set(runs["guided"]))
    if not seeds:
        continue
    def stats(algorithm):
        values = [runs[algorithm][s] for s in seeds]
        sd = statistics.stdev(values) if len(values) > 1 else 0.0
        return statistics.mean(values), sd, min(values), max(values)
    differences = [runs["guided"][s] - runs["hybrid"][s] for s in seeds]
    inferences = [statistics.mean(work[a][s] for s in seeds) for a in ("hybrid", "guided")]
    rows.append((folder.parent.name, folder.name, seeds, stats("hybrid"), stats("guided"), differences,
                 sorted(evaluations), sorted(images), sorted(commits), inferences))

print("| task | energy model | seeds | hybrid HV mean ± sd [min, max] | guided HV mean ± sd [min, max] | "
      "guided - hybrid, mean (paired) | guided higher / lower | evaluations | validation images | "
      "inferences run, hybrid / guided (mean) | commits |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for task, energy, seeds, hybrid, guided, differences, evaluations, images, commits, inferences in rows:
    mean = statistics.mean(differences)
    print(f"| {task} | {energy} | {','.join(map(str, seeds))} | "
          f"{hybrid[0]:.4f} ± {hybrid[1]:.4f} [{hybrid[2]:.4f}, {hybrid[3]:.4f}] | "
          f"{guided[0]:.4f} ± {guided[1]:.4f} [{guided[2]:.4f}, {guided[3]:.4f}] | "
          f"{mean:+.4f} ({100 * mean / hybrid[0]:+.2f} %) | {sum(d > 0 for d in differences)} / "
          f"{sum(d < 0 for d in differences)} | {'/'.join(map(str, evaluations))} | {'/'.join(map(str, images))} | "
          f"{inferences[0]:,.0f} / {inferences[1]:,.0f} | {', '.join(commits)} |")
wins = sum(statistics.mean(r[5]) > 0 for r in rows)
print(f"\nGuided has the higher mean hypervolume in {wins} of {len(rows)} (task, energy model) pairs.")

# Equal work: hybrid reruns with more evaluations (EQUAL_WORK/TASK-hybrid-N/ENERGY_MODEL, written by guided.sh with
# EVALUATIONS=N ALGORITHMS=hybrid) against guided at its own count, over the seeds both have.
if len(sys.argv) > 2:
    print("\n| task | energy model | seeds | hybrid evaluations | hybrid HV mean ± sd | hybrid inferences (mean) | "
          "guided HV mean ± sd (300) | guided inferences (mean) | guided - hybrid, mean (paired) | guided higher / lower |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for folder in sorted(p for p in Path(sys.argv[2]).glob("*-hybrid-*/*") if p.is_dir()):
        task, _, count = folder.parent.name.rpartition("-hybrid-")
        def load(directory, algorithm):
            result = {}
            for path in sorted(directory.glob(f"{algorithm}-seed*.json")):
                doc = json.loads(path.read_text())
                result[doc["search"]["seed"]] = (doc["hypervolume"]["final"], doc["effort"]["imagesRun"])
            return result
        hybrid, guided = load(folder, "hybrid"), load(root / task / folder.name, "guided")
        seeds = sorted(set(hybrid) & set(guided))
        if not seeds:
            continue
        def summary(runs):
            values = [runs[s][0] for s in seeds]
            return (statistics.mean(values), statistics.stdev(values) if len(values) > 1 else 0.0,
                    statistics.mean(runs[s][1] for s in seeds))
        h, g = summary(hybrid), summary(guided)
        differences = [guided[s][0] - hybrid[s][0] for s in seeds]
        print(f"| {task} | {folder.name} | {','.join(map(str, seeds))} | {count} | {h[0]:.4f} ± {h[1]:.4f} | {h[2]:,.0f} | "
              f"{g[0]:.4f} ± {g[1]:.4f} | {g[2]:,.0f} | {statistics.mean(differences):+.4f} | "
              f"{sum(d > 0 for d in differences)} / {sum(d < 0 for d in differences)} |")
