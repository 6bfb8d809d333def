"""Benchmark the maze learners on generated mazes: episodes to criterion, success, wall time.

Every learner of the registry (:data:`LEARNERS`) is trained on every (maze, seed) pair
with the same task, moves, rewards and step limit (+1 at the goal, -1 and the end at a
wall, a timeout after ``max_moves``: by default 3x the maze's longest shortest path,
experiments.maze.agent.step_limit). After every ``--eval-every`` training episodes (and
before the first) the greedy policy is run once from every start cell; a pair reaches
the **criterion** when every start cell reaches the goal in at most ``1.3 x`` its
shortest path. Reported per learner:

- pairs at criterion within the budget (the success rate of the benchmark), and the
  median episodes to criterion over those pairs (the resolution is ``--eval-every``);
  pairs that never get there are counted as failures, never as a capped number;
- the final greedy evaluation: fraction of start cells reached (mean over pairs) and
  the mean moves / shortest path over the reached starts (experiments.maze.results);
- wall time per pair (training and evaluations; the NEST brain's build included).

Learners (``--learners``):

- ``rstdp``: today's numpy R-STDP agent with the NEST spiking action sampler, on the
  maze graph without ROS (bench/maze_offline.py: the same agent and brain as the ROS run);
- ``qlambda``: tabular Watkins Q(lambda), the yardstick (bench/maze_rl.py);
- ``random``: uniformly random moves, the chance level (bench/maze_rl.py);
- ``spiking``: the actor-critic that learns inside NEST (dopamine-modulated STDP, the
  TD error in dopaminergic neurons; experiments/maze/spiking, docs/maze_spiking.md).

A new learner plugs in by name: a factory ``(maze, seed, max_moves) -> learner`` whose
learner has ``train(episodes) -> records``, ``evaluate() -> records`` (one greedy
episode per start cell) and ``close()``; records carry ``start``, ``outcome``,
``moves``, ``shortest_path`` (experiments.maze.agent.EpisodeRecord does). Register it with
:func:`register_learner` in a module and pass ``--import that.module``.

Outputs (``--out``): ``pairs.csv`` (one row per learner, maze and seed),
``pairs.json`` (the same with the curves; ``--combine`` joins runs), ``summary.md``
(the table, with date, machine and command) and ``learning_curves.png``.

Usage::

    python bench/maze_learners.py                       # 10 mazes x 5 seeds, all learners
    python bench/maze_learners.py --mazes 4 --seeds 1 2 --learners qlambda random
"""

import argparse
from collections import OrderedDict
import csv
import dataclasses
from dataclasses import dataclass, field
import datetime
import importlib
import json
import math
import os
from pathlib import Path
import platform
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # maze_rl, maze_offline

from experiments.maze.agent import step_limit  # noqa: E402
from experiments.maze.results import summarize_evaluation  # noqa: E402
from neurobot.world.maze import Maze, MazeError  # noqa: E402
from neurobot.world.maze_generator import generate_benchmark_mazes  # noqa: E402

CRITERION_RATIO = 1.3  # greedy moves / shortest path allowed from every start cell
DEFAULT_EPISODES = 300  # training budget per pair, episodes
DEFAULT_EVAL_EVERY = 10  # training episodes between greedy evaluations


@dataclass(frozen=True)
class LearnerEntry:
    """A registered learner: how to build it and one line saying what it is."""

    factory: object
    description: str


LEARNERS: 'OrderedDict[str, LearnerEntry]' = OrderedDict()
if __name__ in ('__main__', '__mp_main__'):
    # Run as a script (or as its spawned worker): a plug-in's `from maze_learners import
    # register_learner` must reach this registry, not a second copy of the module that
    # `import maze_learners` would load from the same file.
    sys.modules.setdefault('maze_learners', sys.modules[__name__])


def register_learner(name: str, factory, description: str = ''):
    """Make a learner selectable by ``name`` (``--learners name``).

    Args:
        name: the learner's name in tables and plots.
        factory: ``(maze, seed, max_moves) -> learner`` (see the module docstring).
        description: one line for ``--list``.
    """
    if not name or not name.replace('_', '').replace('-', '').isalnum():
        raise ValueError(f'a learner name is letters, digits, - and _, got {name!r}')
    LEARNERS[name] = LearnerEntry(factory, description)


def _rstdp(maze, seed, max_moves):
    from maze_offline import OfflineRSTDPLearner  # local: imports NEST
    return OfflineRSTDPLearner(maze, seed, max_moves)


def _qlambda(maze, seed, max_moves):
    from maze_rl import QLambdaLearner
    return QLambdaLearner(maze, seed, max_moves)


def _random(maze, seed, max_moves):
    from maze_rl import RandomLearner
    return RandomLearner(maze, seed, max_moves)


def _spiking(maze, seed, max_moves):
    from experiments.maze.spiking.learner import SpikingMazeLearner  # local: imports NEST
    return SpikingMazeLearner(maze, seed, max_moves)


register_learner('rstdp', _rstdp, 'numpy R-STDP actor-critic, NEST action sampler '
                 '(experiments.maze.learning; bench/maze_offline.py)')
register_learner('qlambda', _qlambda, 'tabular Watkins Q(lambda), epsilon-greedy '
                 '(bench/maze_rl.py)')
register_learner('random', _random, 'uniformly random moves, learns nothing')
register_learner('spiking', _spiking, 'spiking actor-critic learning in NEST (dopamine STDP, '
                 'TD error in dopamine neurons; experiments/maze/spiking)')


@dataclass
class PairResult:
    """One learner on one (maze, seed) pair.

    Attributes:
        episodes_to_criterion: training episodes before the first evaluation at
            criterion; None if not within the budget.
        curve: (episodes trained, success rate, mean ratio or nan, at criterion) per
            evaluation.
        final: the last evaluation's summary as a dict (maze_results.EvaluationSummary).
        training_goals: training episodes that reached the goal.
        episodes_trained: training episodes run.
        wall_s: wall-clock seconds of the pair.
        error: the exception's text if the learner failed, else ''.
    """

    learner: str
    maze: str
    seed: int
    max_moves: int
    longest_path: int
    episodes_to_criterion: int = None
    curve: list = field(default_factory=list)
    final: dict = field(default_factory=dict)
    training_goals: int = 0
    episodes_trained: int = 0
    wall_s: float = 0.0
    error: str = ''


def at_criterion(summary, ratio=CRITERION_RATIO) -> bool:
    """Every start cell reached the goal in at most ``ratio`` x its shortest path."""
    return bool(summary.starts) and all(s.reached and s.ratio <= ratio + 1e-9
                                        for s in summary.starts)


def run_pair(name, maze, seed, episodes, eval_every, stop_at_criterion=True,
             max_moves=None) -> PairResult:
    """Train learner ``name`` on ``maze`` with ``seed``; evaluate every ``eval_every``."""
    max_moves = max_moves or step_limit(maze)
    result = PairResult(name, maze.name, seed, max_moves,
                        max(maze.start_path_lengths().values()))
    start = time.perf_counter()
    learner = None
    try:
        learner = LEARNERS[name].factory(maze, seed, max_moves)
        trained = 0
        while True:
            summary = summarize_evaluation(learner.evaluate())
            done = at_criterion(summary)
            result.curve.append((trained, summary.success_rate,
                                 math.nan if summary.mean_ratio is None else summary.mean_ratio,
                                 done))
            result.final = summary.to_dict()
            if done and result.episodes_to_criterion is None:
                result.episodes_to_criterion = trained
            if trained >= episodes or (done and stop_at_criterion):
                break
            chunk = min(eval_every, episodes - trained)
            records = learner.train(chunk)
            result.training_goals += sum(r.outcome == 'goal' for r in records)
            trained += chunk
        result.episodes_trained = trained
    except Exception as error:  # a failing learner is a result to report, not a crash
        result.error = f'{type(error).__name__}: {error}'
    finally:
        if learner is not None:
            learner.close()
        result.wall_s = time.perf_counter() - start
    return result


def _run_pair_job(job):
    name, maze_dict, seed, episodes, eval_every, stop, max_moves, imports = job
    for module in imports:  # a worker process registers plug-in learners again
        importlib.import_module(module)
    return run_pair(name, Maze.from_dict(maze_dict), seed, episodes, eval_every, stop,
                    max_moves)


# ---------------------------------------------------------------------- reporting
def summarize_learner(results, budget) -> dict:
    """The table row of one learner over its pairs."""
    ok = [r for r in results if not r.error]
    reached = [r.episodes_to_criterion for r in ok if r.episodes_to_criterion is not None]
    finals = [r.final for r in ok if r.final]
    ratios = [f['mean_ratio'] for f in finals if f['mean_ratio'] is not None]
    walls = [r.wall_s for r in results]
    return {
        'pairs': len(results), 'errors': len(results) - len(ok),
        'at_criterion': len(reached),
        'median_to_criterion': statistics.median(reached) if reached else None,
        # the median over all pairs, a pair that never got there counting as worse than
        # any that did (None when half or more never got there)
        'median_all': _censored_median([r.episodes_to_criterion for r in ok], budget),
        'final_success': float(np.mean([f['success_rate'] for f in finals])) if finals else None,
        'final_ratio': float(np.mean(ratios)) if ratios else None,
        'median_wall_s': statistics.median(walls) if walls else None,
        'total_wall_s': sum(walls),
    }


def _censored_median(values, budget):
    """Median with 'never' as infinity; None when it lands on a 'never'."""
    if not values:
        return None
    middle = statistics.median(math.inf if v is None else v for v in values)
    return None if math.isinf(middle) else middle


def _fmt(value, spec='', none='-'):
    return none if value is None else format(value, spec)


def table(rows: dict, budget: int) -> str:
    """The results table, markdown."""
    lines = ['| learner | pairs | at criterion (<= %d ep.) | median episodes to criterion '
             '(pairs at criterion) | median over all pairs | final greedy success | final '
             'mean ratio (reached starts) | wall s per pair (median) | wall s total | errors |'
             % budget,
             '|---|---|---|---|---|---|---|---|---|---|']
    for name, row in rows.items():
        share = row['at_criterion'] / max(1, row['pairs'] - row['errors'])
        lines.append(
            f"| {name} | {row['pairs']} | {row['at_criterion']}/{row['pairs'] - row['errors']} "
            f"({share:.0%}) | {_fmt(row['median_to_criterion'], 'g')} | "
            f"{_fmt(row['median_all'], 'g', f'> {budget}')} | "
            f"{_fmt(row['final_success'], '.0%')} | {_fmt(row['final_ratio'], '.2f')}x | "
            f"{_fmt(row['median_wall_s'], '.1f')} | {row['total_wall_s']:.0f} | "
            f"{row['errors']} |")
    return '\n'.join(lines)


def maze_table(results, maze_names) -> str:
    """Per maze: its longest path, step limit, and episodes to criterion per learner, seed."""
    learners = list(OrderedDict.fromkeys(r.learner for r in results))
    lines = ['| maze | longest path | step limit | ' + ' | '.join(learners) + ' |',
             '|---|---|---|' + '---|' * len(learners)]
    for maze in maze_names:
        cells = []
        for name in learners:
            mine = sorted((r for r in results if r.learner == name and r.maze == maze),
                          key=lambda r: r.seed)
            cells.append(' '.join('err' if r.error else '-' if r.episodes_to_criterion is None
                                  else str(r.episodes_to_criterion) for r in mine))
        some = next(r for r in results if r.maze == maze)
        lines.append(f'| {maze} | {some.longest_path} | {some.max_moves} | '
                     + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def plot_curves(results, path: Path, budget: int, eval_every: int):
    """Mean greedy success rate and the share of pairs at criterion, per learner."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    grid = np.arange(0, budget + 1, eval_every)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for name in OrderedDict.fromkeys(r.learner for r in results):
        mine = [r for r in results if r.learner == name and not r.error and r.curve]
        if not mine:
            continue
        success = np.zeros((len(mine), len(grid)))
        reached = np.zeros((len(mine), len(grid)))
        for k, r in enumerate(mine):
            episodes = np.array([c[0] for c in r.curve])
            rates = np.array([c[1] for c in r.curve])
            # a pair stopped at criterion keeps its last evaluation (held, drawn as such)
            index = np.clip(np.searchsorted(episodes, grid, side='right') - 1, 0, None)
            success[k] = rates[index]
            if r.episodes_to_criterion is not None:
                reached[k] = grid >= r.episodes_to_criterion
        left.plot(grid, success.mean(axis=0), label=f'{name} ({len(mine)} pairs)')
        right.plot(grid, reached.mean(axis=0), label=name)
    left.set_xlabel('training episodes')
    left.set_ylabel('greedy success rate over start cells\n(mean over pairs; held after '
                    'criterion)')
    left.set_ylim(-0.02, 1.02)
    left.legend(fontsize=8)
    right.set_xlabel('training episodes')
    right.set_ylabel(f'pairs at criterion (greedy <= {CRITERION_RATIO}x from every start)')
    right.set_ylim(-0.02, 1.02)
    right.legend(fontsize=8)
    fig.suptitle('maze learners on generated mazes')
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def load_pairs(folder) -> list:
    """The PairResults a run wrote to ``<folder>/pairs.json``."""
    rows = json.loads((Path(folder) / 'pairs.json').read_text())
    return [PairResult(**{**row, 'curve': [tuple(c) for c in row['curve']]}) for row in rows]


def write_outputs(out: Path, results, args, started: datetime.datetime,
                  sources=()) -> str:
    """pairs.csv, pairs.json, summary.md, learning_curves.png; return the summary text."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / 'pairs.csv', 'w', newline='') as handle:
        writer = csv.writer(handle)
        writer.writerow(['learner', 'maze', 'seed', 'longest_path', 'max_moves',
                         'episodes_to_criterion', 'episodes_trained', 'training_goals',
                         'final_success_rate', 'final_mean_ratio', 'wall_s', 'error'])
        for r in results:
            writer.writerow([r.learner, r.maze, r.seed, r.longest_path, r.max_moves,
                             '' if r.episodes_to_criterion is None else r.episodes_to_criterion,
                             r.episodes_trained, r.training_goals,
                             r.final.get('success_rate', ''),
                             '' if r.final.get('mean_ratio') is None
                             else f"{r.final['mean_ratio']:.3f}",
                             f'{r.wall_s:.2f}', r.error])
    # everything, so that runs split over seeds or machines can be combined (--combine)
    (out / 'pairs.json').write_text(json.dumps([dataclasses.asdict(r) for r in results],
                                               allow_nan=True))
    maze_names = list(OrderedDict.fromkeys(r.maze for r in results))
    seeds = sorted({r.seed for r in results})
    rows = OrderedDict((name, summarize_learner([r for r in results if r.learner == name],
                                                args.episodes))
                       for name in OrderedDict.fromkeys(r.learner for r in results))
    elapsed = (datetime.datetime.now(datetime.timezone.utc) - started).total_seconds()
    text = '\n'.join([
        f'# Maze learners, {started:%Y-%m-%d %H:%M} UTC',
        '',
        f'Machine: {platform.node()}, {platform.machine()}, {os.cpu_count()} CPUs '
        f'(shared), Python {platform.python_version()}'
        + ('.' if sources else f'; {elapsed:.0f} s in all.'),
        f'Command: `python {" ".join(sys.argv)}`',
        (f'Combined from: {", ".join(map(str, sources))}.' if sources else
         f'Mazes generated with set seed {args.maze_seed} (and files given).'),
        f'{len(maze_names)} mazes x seeds {" ".join(map(str, seeds))}; budget '
        f'{args.episodes} episodes; greedy evaluation every {args.eval_every}; criterion: '
        f'every start within {CRITERION_RATIO}x of its shortest path.',
        '',
        table(rows, args.episodes),
        '',
        'Episodes to criterion per maze (one entry per seed; - : not within the budget):',
        '',
        maze_table(results, maze_names),
        '',
    ])
    errors = [r for r in results if r.error]
    if errors:
        text += '\nErrors:\n\n' + '\n'.join(f'- {r.learner} {r.maze} seed {r.seed}: {r.error}'
                                            for r in errors) + '\n'
    (out / 'summary.md').write_text(text)
    plot_curves(results, out / 'learning_curves.png', args.episodes, args.eval_every)
    return text


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--learners', nargs='+', default=None,
                        help='registered learner names (default: all)')
    parser.add_argument('--mazes', type=int, default=10, help='generated mazes')
    parser.add_argument('--maze-seed', type=int, default=1, help='seed of the maze set')
    parser.add_argument('--maze-files', nargs='*', default=[],
                        help='maze YAML files benchmarked as well '
                             '(e.g. experiments/maze/mazes/*.yaml)')
    parser.add_argument('--seeds', type=int, nargs='+', default=[1, 2, 3, 4, 5])
    parser.add_argument('--episodes', type=int, default=DEFAULT_EPISODES,
                        help='training budget per pair')
    parser.add_argument('--eval-every', type=int, default=DEFAULT_EVAL_EVERY)
    parser.add_argument('--max-moves', type=int, default=None,
                        help='step limit (default: 3x each maze\'s longest shortest path)')
    parser.add_argument('--full-curves', action='store_true',
                        help='keep training after the criterion (slower; curves not held)')
    parser.add_argument('--jobs', type=int, default=1, help='worker processes')
    parser.add_argument('--import', dest='imports', nargs='*', default=[],
                        help='modules that register more learners (register_learner)')
    parser.add_argument('--out', default='results/maze_learners')
    parser.add_argument('--list', action='store_true', help='list the learners and exit')
    parser.add_argument('--combine', nargs='+', default=None, metavar='DIR',
                        help='run nothing: combine the pairs.json of earlier runs (same '
                             '--episodes and --eval-every) into one table in --out')
    args = parser.parse_args(argv)
    for module in args.imports:
        importlib.import_module(module)
    if args.list:
        for name, entry in LEARNERS.items():
            print(f'{name}: {entry.description}')
        return 0
    names = args.learners or list(LEARNERS)
    unknown = [n for n in names if n not in LEARNERS]
    if unknown:
        parser.error(f'unknown learners {unknown}; registered: {list(LEARNERS)}')
    if args.episodes < 0 or args.eval_every < 1:
        parser.error('--episodes must be >= 0 and --eval-every >= 1')
    started = datetime.datetime.now(datetime.timezone.utc)
    if args.combine:
        results = [r for folder in args.combine for r in load_pairs(folder)]
        print(write_outputs(Path(args.out), results, args, started, sources=args.combine))
        return 0
    from tqdm import tqdm

    mazes = generate_benchmark_mazes(args.mazes, args.maze_seed) if args.mazes else []
    try:
        mazes += [Maze.from_yaml(path) for path in args.maze_files]
    except MazeError as error:  # a usage error, not a traceback
        parser.error(str(error))
    jobs = [(name, maze.to_dict(), seed, args.episodes, args.eval_every,
             not args.full_curves, args.max_moves, args.imports)
            for name in names for maze in mazes for seed in args.seeds]
    results = []
    bar = tqdm(total=len(jobs), unit='pair', desc='maze learners')
    if args.jobs > 1:
        import concurrent.futures
        import multiprocessing
        with concurrent.futures.ProcessPoolExecutor(
                args.jobs, mp_context=multiprocessing.get_context('spawn')) as pool:
            # the bar counts pairs as they finish (a long pair does not hide the others'
            # progress); the table keeps the jobs' order
            futures = {pool.submit(_run_pair_job, job): k for k, job in enumerate(jobs)}
            done = {}
            for future in concurrent.futures.as_completed(futures):
                result = future.result()
                done[futures[future]] = result
                bar.set_postfix(last=f'{result.learner} {result.maze} s{result.seed}')
                bar.update()
            results = [done[k] for k in range(len(jobs))]
    else:
        for job in jobs:
            bar.set_postfix(now=f'{job[0]} {job[1]["name"]} s{job[2]}')
            results.append(_run_pair_job(job))
            bar.update()
    bar.close()
    print(write_outputs(Path(args.out), results, args, started))
    print(f'files: {Path(args.out).resolve()}/(summary.md, pairs.csv, pairs.json, '
          f'learning_curves.png)')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
