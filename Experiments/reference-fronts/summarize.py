"""Best-known fronts and each run's share of their hypervolume (Experiments/reference-fronts/long-runs.sh).

    python3 Experiments/reference-fronts/summarize.py OUT [--split test]

OUT holds TASK/ENERGY/*.json Pareto documents (docs/pareto-json.md) measured on the same validation split. The
best-known front of a (task, energy model) is the non-dominated union of all their points; hypervolumes use the
documents' own definition (x = relativeEnergy, y = 1 - validation accuracy, reference point [1.1, 1.1]), and the
script checks that its hypervolume of each document's points equals the document's `hypervolume.final`.

A second share looks only at the part of the plane a user deploys from: the hypervolume with the reference point
[1.1, 1 - (uniform 16-bit validation accuracy - 0.03)], i.e. of the points that lose at most 3 accuracy points
against uniform 16-bit fixed point. The whole-plane share is dominated by the large box every front covers; this
one shows how close a run comes where the front is used.

With `--split test` every point is placed by its test accuracy instead (the runs' front points re-measured on the
test split, which no search saw), the best-known front is the non-dominated union of those, and the uniform 16-bit
accuracy is the test one (the documents' validation hypervolumes are still checked).
"""
import json
import os
import sys

REFERENCE = (1.1, 1.1)
USABLE_LOSS = 0.03  # the second share counts points at most this far below uniform 16-bit accuracy


def objectives(document, split="validation"):
    return [(p["relativeEnergy"], 1 - p[split]["accuracy"]) for p in document["points"]]


def non_dominated(points):
    front = []
    for x, y in sorted(set(points)):
        if not front or y < front[-1][1]:
            front.append((x, y))
    return front


def hypervolume(points, reference=REFERENCE):
    area, previous_y = 0.0, reference[1]
    for x, y in non_dominated(points):
        if x >= reference[0] or y >= previous_y:
            continue
        area += (reference[0] - x) * (previous_y - y)
        previous_y = y
    return area


def uniform16_accuracy(document, split="validation"):
    return next(b[split]["accuracy"] for b in document["baselines"] if b["bits"] == 16)


def folders(out):
    """(task, energy model, folder) for every OUT/TASK/ENERGY folder, sorted by task and energy model."""
    for task in sorted(os.listdir(out)):
        task_dir = os.path.join(out, task)
        if not os.path.isdir(task_dir):
            continue
        for energy in sorted(os.listdir(task_dir)):
            yield task, energy, os.path.join(task_dir, energy)


def main(out, split):
    print("| task | energy model | run | evaluations | front points | hypervolume | % of best-known "
          "| % of best-known at <= 3 points loss | points on the best-known front |")
    print("|---|---|---|---|---|---|---|---|---|")
    for task, energy, d in folders(out):
        names = sorted(f for f in os.listdir(d) if f.endswith(".json"))
        if not names:
            continue
        documents = {name: json.load(open(os.path.join(d, name))) for name in names}
        splits = {doc["data"]["validation"]["sha256"] for doc in documents.values()}
        if len(splits) != 1:
            sys.exit(f"{d}: the runs were measured on different validation splits")
        for name, doc in documents.items():
            mine = hypervolume(objectives(doc))
            if abs(mine - doc["hypervolume"]["final"]) > 1e-9:
                sys.exit(f"{d}/{name}: hypervolume {mine} differs from the document's {doc['hypervolume']['final']}")
        accuracies16 = {uniform16_accuracy(doc, split) for doc in documents.values()}
        if len(accuracies16) != 1:
            sys.exit(f"{d}: the runs' uniform 16-bit {split} accuracies differ: {sorted(accuracies16)}")
        usable = (REFERENCE[0], 1 - (accuracies16.pop() - USABLE_LOSS))
        best = non_dominated([p for doc in documents.values() for p in objectives(doc, split)])
        reference = hypervolume(best)
        usable_reference = hypervolume(best, usable)
        best_set = set(best)
        for name, doc in documents.items():
            own = objectives(doc, split)
            on_best = sum(1 for p in set(own) if p in best_set)
            hv = doc["hypervolume"]["final"] if split == "validation" else hypervolume(own)
            print(f"| {task} | {energy} | {name[:-5]} | {doc['effort']['evaluations']} | {len(doc['points'])} | "
                  f"{hv:.6f} | {100 * hv / reference:.3f} | {100 * hypervolume(own, usable) / usable_reference:.2f} "
                  f"| {on_best} of {len(best)} |")
        print(f"| {task} | {energy} | best-known front | | {len(best)} | {reference:.6f} | 100.000 | 100.00 | |")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 4) or (len(sys.argv) == 4 and (sys.argv[2] != "--split"
                                                                or sys.argv[3] not in ("validation", "test"))):
        sys.exit("usage: summarize.py OUT [--split validation|test]")
    main(sys.argv[1], sys.argv[3] if len(sys.argv) == 4 else "validation")
