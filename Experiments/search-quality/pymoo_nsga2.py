#!/usr/bin/env python3
"""pymoo's NSGA-II driving the precsearch evaluator through `precsearch serve` (docs/serve.md).

One run: start `precsearch serve` with the model, data, energy model and window search options of the
`precsearch optimize` runs it is compared with; ask it to describe the space; run pymoo's NSGA-II on one integer
variable per gene (the index of a layer's weight or activation bit-width in its allowed list) until the server's
evaluation count reaches the budget; then ask the server for the front of every complete measurement (the
uniform baselines measured at start-up included, as in `optimize`) and its hypervolume. The hypervolume is
recomputed here with the same normalization and reference point as `optimize`'s `hypervolume.final`
(x = energy / uniform 16-bit energy, y = 1 - validation accuracy, reference (1.1, 1.1)) and checked against the
server's.

"One evaluation" is one configuration sent to the server, repeats included, exactly as `optimize` counts
`effort.evaluations`; a generation that would pass the budget is cut to fit it.

Operators: pymoo's recipe for integer variables (IntegerRandomSampling, SBX and polynomial mutation with
eta = 3 on rounded values, duplicates eliminated), population 40 (our NSGA-II's default). With
`--initial uniform` the initial population starts, as our NSGA-II's does, with the uniform configurations of the
space (every gene at the allowed width nearest to b, for each b of the allowed widths, widest first), the rest
drawn at random (algorithm name `pymoo-nsga2-uniform`).

    python3 Experiments/search-quality/pymoo_nsga2.py --precsearch .build/release/precsearch --model fashion \
        --seed 1 --evaluations 300 --validation-images 1000 --output pymoo-nsga2-seed1.json
"""
import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pymoo
from pymoo.algorithms.moo.nsga2 import NSGA2
from pymoo.core.evaluator import Evaluator
from pymoo.core.problem import Problem
from pymoo.core.termination import NoTermination
from pymoo.operators.crossover.sbx import SBX
from pymoo.operators.mutation.pm import PM
from pymoo.operators.repair.rounding import RoundingRepair
from pymoo.operators.sampling.rnd import IntegerRandomSampling
from pymoo.problems.static import StaticProblem


class ServerError(RuntimeError):
    pass


class Server:
    """A `precsearch serve` process: one JSON line in, one JSON line out."""

    def __init__(self, command):
        self.command = command
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                        bufsize=1)
        self.next_id = 0

    def request(self, payload):
        self.next_id += 1
        payload = dict(payload, id=self.next_id)
        self.process.stdin.write(json.dumps(payload, separators=(",", ":")) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise ServerError(f"precsearch serve ended without answering (exit status {self.process.wait()})")
        answer = json.loads(line)
        if answer.get("id") != self.next_id:
            raise ServerError(f"answer to request {answer.get('id')}, expected {self.next_id}")
        if "error" in answer:
            raise ServerError(answer["error"])
        return answer

    def close(self):
        self.process.stdin.close()
        status = self.process.wait()
        if status != 0:
            raise ServerError(f"precsearch serve exited with status {status}")


def hypervolume(points, reference=(1.1, 1.1)):
    """2-D hypervolume of (x, y) points, both minimized, up to `reference` (the staircase sweep optimize uses)."""
    inside = sorted(p for p in points if p[0] < reference[0] and p[1] < reference[1])
    area, ceiling = 0.0, reference[1]
    for x, y in inside:
        if y < ceiling:
            area += (reference[0] - x) * (ceiling - y)
            ceiling = y
    return area


def normalized(point, uniform16):
    """optimize's hypervolume coordinates: energy / uniform 16-bit energy, 1 - validation accuracy."""
    return (point["energyPicojoules"] / uniform16, 1 - point["validationAccuracy"])


def uniform_start(domains, size, rng):
    """Index rows of the space's uniform configurations, as PrecisionSearchSpace.uniformGenomes builds them (for
    each allowed width b, widest first, every gene at its allowed width nearest to b, the larger on a tie; no
    duplicates), then distinct random rows up to `size`."""
    rows = []
    for bits in sorted({value for domain in domains for value in domain}, reverse=True):
        row = []
        for domain in domains:
            best = 0
            for index, value in enumerate(domain):
                if abs(value - bits) <= abs(domain[best] - bits):
                    best = index
            row.append(best)
        if row not in rows:
            rows.append(row)
    rows = rows[:size]
    while len(rows) < size:
        row = [int(rng.integers(0, len(domain))) for domain in domains]
        if row not in rows:
            rows.append(row)
    return np.array(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--precsearch", required=True, help="the precsearch binary")
    parser.add_argument("--model", default="fashion")
    parser.add_argument("--data")
    parser.add_argument("--energy-model")
    parser.add_argument("--validation-images", type=int)
    parser.add_argument("--window-search")
    parser.add_argument("--threads", type=int)
    parser.add_argument("--screening")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--evaluations", type=int, default=300)
    parser.add_argument("--population-size", type=int, default=40)
    parser.add_argument("--initial", choices=("random", "uniform"), default="random",
                        help="random: pymoo's IntegerRandomSampling; uniform: the uniform configurations first, "
                             "as our NSGA-II starts, then random ones")
    parser.add_argument("--output", required=True)
    args = parser.parse_args()
    if args.evaluations < 1 or args.population_size < 2:
        parser.error("--evaluations must be >= 1 and --population-size >= 2")

    start = time.monotonic()
    command = [args.precsearch, "serve", "--model", args.model, "--quiet"]
    for option in ("data", "energy_model", "validation_images", "window_search", "threads", "screening"):
        value = getattr(args, option)
        if value is not None:
            command += ["--" + option.replace("_", "-"), str(value)]
    server = Server(command)
    description = server.request({"describe": True})
    uniform16 = description["uniform16BitPicojoules"]
    reference = tuple(description["hypervolume"]["referencePoint"])
    assert description["hypervolume"]["ideal"] == [0, -1] and description["hypervolume"]["nadir"] == [uniform16, 0]
    # Genes in optimize's order: [w0, a0, w1, a1, ...]; each variable indexes its gene's allowed bit-widths.
    domains = []
    for weights, activations in zip(description["weightBits"], description["activationBits"]):
        domains += [weights, activations]
    layer_count = len(description["layers"])
    startup_seconds = time.monotonic() - start

    problem = Problem(n_var=len(domains), n_obj=2, xl=np.zeros(len(domains)),
                      xu=np.array([len(d) - 1 for d in domains], dtype=float), vtype=int)
    sampling = IntegerRandomSampling()
    if args.initial == "uniform":
        sampling = uniform_start(domains, args.population_size, np.random.default_rng(args.seed))
    algorithm = NSGA2(
        pop_size=args.population_size,
        sampling=sampling,
        crossover=SBX(prob=1.0, eta=3.0, vtype=float, repair=RoundingRepair()),
        mutation=PM(prob=1.0, eta=3.0, vtype=float, repair=RoundingRepair()),
        eliminate_duplicates=True,
    )
    algorithm.setup(problem, termination=NoTermination(), seed=args.seed, verbose=False)

    search_start = time.monotonic()
    evaluations = 0
    generations = 0
    history = []
    measured = {}  # genome -> answer, for the final population's own front
    while evaluations < args.evaluations:
        population = algorithm.ask()
        if len(population) == 0:
            break
        population = population[: min(len(population), args.evaluations - evaluations)]
        X = np.rint(population.get("X")).astype(int)
        batch = []
        for row in X:
            bits = [domains[gene][int(index)] for gene, index in enumerate(row)]
            batch.append({"weightBits": bits[0::2], "activationBits": bits[1::2]})
        answer = server.request({"batch": batch})
        evaluations = answer["evaluations"]
        F = np.array([normalized(result, uniform16) for result in answer["results"]])
        for item, result in zip(batch, answer["results"]):
            measured[tuple(item["weightBits"] + item["activationBits"])] = result
        Evaluator().eval(StaticProblem(problem, F=F), population)
        algorithm.tell(infills=population)
        generations += 1
        front = server.request({"front": True})
        history.append({"evaluations": evaluations, "hypervolume": front["hypervolume"]})
    search_seconds = time.monotonic() - search_start

    front = server.request({"front": True})
    server.close()
    points = [dict(p, id=f"p{i + 1:02d}") for i, p in enumerate(front["points"])]
    final = hypervolume([normalized(p, uniform16) for p in points], reference)
    if abs(final - front["hypervolume"]) > 1e-12:
        sys.exit(f"hypervolume mismatch: {final} here, {front['hypervolume']} from the server")
    # pymoo's own answer: the non-dominated members of its final population (complete measurements only).
    final_population = []
    for individual in algorithm.opt:
        bits = [domains[gene][int(index)] for gene, index in enumerate(np.rint(individual.X).astype(int))]
        result = measured.get(tuple(bits[0::2] + bits[1::2]))
        if result is not None and result["complete"]:
            final_population.append(normalized(result, uniform16))

    document = {
        "algorithm": "pymoo-nsga2" if args.initial == "random" else "pymoo-nsga2-uniform",
        "initial": args.initial,
        "seed": args.seed,
        "budget": args.evaluations,
        "evaluations": evaluations,
        "memoHits": front["memoHits"],
        "configurationsMeasured": front["configurationsMeasured"],
        "configurationsScreenedOut": front["configurationsScreenedOut"],
        "generations": generations,
        "populationSize": args.population_size,
        "operators": ("IntegerRandomSampling" if args.initial == "random" else
                      "uniform configurations, then random integer vectors") + "; SBX(prob=1.0, eta=3.0) and PM(prob=1.0, eta=3.0) with RoundingRepair; "
                     "eliminate_duplicates=True; one integer variable per gene (index into its allowed bit-widths)",
        "versions": {"pymoo": pymoo.__version__, "numpy": np.__version__, "python": platform.python_version(),
                     "precsearch": description["tool"]},
        "command": [sys.executable, *sys.argv],
        "serverCommand": command,
        "model": description["model"],
        "data": dict(description["data"], validationImages=description["validationImages"]),
        "energyModel": dict(description["energyModel"], uniform16BitPicojoules=uniform16),
        "screening": description["screening"],
        "layers": description["layers"],
        "baselines": description["baselines"],
        "hypervolume": {
            "final": final,
            "server": front["hypervolume"],
            "finalPopulation": hypervolume(final_population, reference),
            "referencePoint": list(reference),
            "normalization": "x = energyPicojoules / uniform16BitPicojoules, y = 1 - validationAccuracy",
            "history": history,
        },
        "points": points,
        "timing": {"wallSeconds": time.monotonic() - start, "startupSeconds": startup_seconds,
                   "searchSeconds": search_seconds,
                   "evaluationsPerSecond": evaluations / search_seconds if search_seconds > 0 else 0},
    }
    output = Path(args.output)
    temporary = output.with_suffix(output.suffix + ".partial")
    temporary.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    temporary.replace(output)
    print(f"pymoo {pymoo.__version__} NSGA-II ({args.initial} start), seed {args.seed}: {evaluations} evaluations "
          f"({front['memoHits']} from the memo) in {generations} generations, {search_seconds:.0f} s; "
          f"front {len(points)} points, hypervolume {final:.4f} (final population alone {document['hypervolume']['finalPopulation']:.4f}); "
          f"wrote {output}")


if __name__ == "__main__":
    main()
