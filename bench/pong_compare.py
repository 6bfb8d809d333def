"""NEST's pong example and neurobot's pong side by side: mean-reward curves, last 20 %, speed.

Issue 13 part 4. For every configuration (two players, e.g. ``r rn``) and seed this runs

* **the original**: NEST's own installed ``run_simulations.py`` (found in the installed
  ``nest`` package, never copied or edited) as a subprocess in a fresh working folder,
  through ``bench/pong_original_launcher.py``. The example has no seed option; the
  launcher sets ``nest.rng_seed`` and ``numpy.random.seed`` to the seed and runs the file
  unchanged with ``runpy``. Its results are the files it writes: ``data_left.pkl.gz`` and
  ``data_right.pkl.gz`` (``rewards``: the per-row running mean reward after every
  iteration) and its log (wall time);
* **the original, compat**: only for configurations with a dopamine player. On NEST 3.10
  the example's ``PongNetDopa`` fails (``KeyError: 'vt'``, the parameter is now called
  ``volume_transmitter``); this run is recorded as a failure with its error, and the
  launcher's ``--compat-vt`` shim then renames the key on its way into
  ``nest.SetDefaults``/``nest.Connect``, still without editing the example. Labelled
  "original (compat)" everywhere;
* **neurobot**: ``experiments.pong.offline.play_game`` (our brains in ``Brain``, our game,
  codes and learning rules, no ROS) with the same players, iterations and seed.

**Spike buffers.** Both the original and brain_node run with NEST's
``spike_buffer_shrink_limit`` at 0 (buffers never shrink). With NEST 3.10's default the
kernel logs a buffer "shrink" in every quiet 1-ms slice and converts the whole log on every
kernel-status read, which the example makes about 440 times per network and iteration
through ``SynapseCollection.get``/``set``: the original then slows down as it runs (157 s
for its first 100 iterations, 1280 s for iterations 200-300 here) and 2 x 1000 iterations
do not fit a working day. Buffer sizes change no spike: the benchmark runs the first seed
of every configuration a second time with NEST's default for ``--identity-iterations``
iterations and reports whether rewards, weights and game states are identical, bit for
bit, to the same iterations of the main run (``--nest-default-buffers`` makes the main
runs with NEST's default instead).

The curve compared is the one the original records: the mean over the 20 rows of the
per-row running mean reward, after every iteration. The table gives its mean over the last
20 % of iterations per seed, and the wall time per iteration of each implementation (game
loop only, without building the networks), with the ratio neurobot / original. The PNG
draws the seed means, smoothed, with a band across seeds: ``range`` (min to max over seeds,
the default) or ``ci95`` (Student-t 95 % interval of the mean; with 2 seeds it is
12.7 standard errors wide, which is why it is not the default).

Runs are cached under ``--cache-dir`` (one folder per implementation, configuration, seed
and size) and reused when complete, so a long benchmark can be resumed and the table drawn
from finished runs. Runs are made one at a time (the original with ``nice``); neurobot's
two players run in two processes, as in ``bench/pong_offline.py``.

Usage: python bench/pong_compare.py [--configs "r rn" "dn r"] [--seeds 1 2 3 4 5]
       [--iterations 1000] [--cache-dir results/pong_compare]
       [--png bench/pong_compare.png] [--no-run]
"""

import argparse
from dataclasses import dataclass, field
from datetime import datetime, timezone
import gzip
import importlib.util
import json
import os
from pathlib import Path
import pickle
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

REPO = Path(__file__).resolve().parents[1]
LAUNCHER = Path(__file__).resolve().parent / 'pong_original_launcher.py'
SIDES = ('left', 'right')  # the original's data_left / data_right; neurobot's LEFT / RIGHT
CONFIGS = ('r', 'rn', 'd', 'dn')
LAST_FRACTION = 0.2  # the target compares the mean over the last 20 % of iterations
DEFAULT_SMOOTH = 25  # iterations, trailing moving mean drawn in the PNG
RISE_LEVELS = (0.5, 0.9)  # fractions of the final level whose first crossing is reported
CURVE_TOLERANCE = 0.05  # mean-reward units the curve check widens the original's band by
CURVE_INSIDE_FRACTION = 0.9  # share of iterations that must lie in the widened band
NICE = 10  # niceness of the original's subprocess (a shared machine)
ORIGINAL = 'original'
COMPAT = 'original (compat)'
NEUROBOT = 'neurobot'
NO_SHRINK = 'no-shrink'  # the original with spike_buffer_shrink_limit = 0 (brain_node's)
NEST_DEFAULT = 'nest-default'  # the original with NEST's default shrink limit
DEFAULT_IDENTITY_ITERATIONS = 100  # iterations of the identity check (NEST's default is slow)
IMPLEMENTATIONS = (ORIGINAL, COMPAT, NEUROBOT)
N_ROWS = 20  # the game's rows: input and motor neurons per network
REWARD_BY_DISTANCE = (1.0, 0.7, 0.4, 0.1)  # the example's reward for a winner 0..3 rows off

# Student t quantiles t(0.975, df) for df = 1..30; beyond 30 the normal 1.96 is within 2 %.
T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
        2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042)
Z975 = 1.96

# The original's log (run_simulations.py, logging format "%(asctime)s - %(message)s").
PROGRESS_RE = re.compile(
    r'- (?P<elapsed>[\d.]+): Run (?P<run>\d+), score: \((?P<left>\d+), (?P<right>\d+)\), '
    r'mean rewards: (?P<mean_left>[-\d.e]+), (?P<mean_right>[-\d.e]+)')
DONE_RE = re.compile(r'Simulation of (?P<runs>\d+) runs complete after: '
                     r'(?:(?P<days>\d+) days?, )?(?P<h>\d+):(?P<m>\d\d):(?P<s>\d\d(?:\.\d+)?)')
ERROR_RE = re.compile(r'^(?P<error>[A-Za-z_][\w.]*(?:Error|Exception|Interrupt)\b.*)$',
                      re.MULTILINE)


# ---------------------------------------------------------------- pure parts (unit-tested)

def parse_players(text: str) -> tuple:
    """Parse a configuration such as ``'r rn'`` into ``('r', 'rn')``.

    Raises:
        ValueError: not two players out of ``CONFIGS``, or two dopamine players (the
            original refuses them: one volume transmitter per NEST kernel).
    """
    players = tuple(text.split())
    if len(players) != 2 or any(p not in CONFIGS for p in players):
        raise ValueError(f'a configuration is two players out of {", ".join(CONFIGS)} '
                         f'separated by a space (e.g. "r rn"), got {text!r}')
    if players[0][0] == players[1][0] == 'd':
        raise ValueError(f'{text!r}: the original cannot train two dopamine players in one '
                         'game (they would share one volume transmitter)')
    return players


def parse_progress(log: str) -> list:
    """The original's progress lines (every 100 iterations) as dictionaries.

    Returns:
        One dict per line: ``elapsed_s`` (since the game loop started), ``run``,
        ``score`` (left, right) and ``mean_reward`` (left, right).
    """
    return [{'elapsed_s': float(m['elapsed']), 'run': int(m['run']),
             'score': (int(m['left']), int(m['right'])),
             'mean_reward': (float(m['mean_left']), float(m['mean_right']))}
            for m in PROGRESS_RE.finditer(log)]


def parse_duration(log: str):
    """The original's game-loop wall time from its closing log line.

    Returns:
        ``(iterations, seconds)``, or None if the run did not finish.
    """
    match = DONE_RE.search(log)
    if match is None:
        return None
    seconds = (int(match['days'] or 0) * 86400 + int(match['h']) * 3600
               + int(match['m']) * 60 + float(match['s']))
    return int(match['runs']), seconds


def parse_error(log: str):
    """The last exception line of a traceback in ``log`` (``"KeyError: 'vt'"``), or None."""
    if 'Traceback (most recent call last)' not in log:
        return None
    errors = ERROR_RE.findall(log)
    return errors[-1].strip() if errors else None


def curve_from_rewards(rewards) -> np.ndarray:
    """The mean reward curve from the original's ``rewards`` (iterations x rows)."""
    rewards = np.asarray(rewards, dtype=float)
    if rewards.ndim != 2 or len(rewards) == 0:
        raise ValueError('expected the per-row mean reward of every iteration '
                         f'(iterations x rows), got shape {rewards.shape}')
    return rewards.mean(axis=1)


def last_part_mean(curve, fraction: float = LAST_FRACTION) -> float:
    """Mean of the last ``fraction`` of ``curve`` (at least one value)."""
    curve = np.asarray(curve, dtype=float)
    if len(curve) == 0:
        raise ValueError('cannot average an empty curve')
    if not 0.0 < fraction <= 1.0:
        raise ValueError(f'fraction must be in (0, 1], got {fraction}')
    return float(curve[-max(1, int(round(fraction * len(curve)))):].mean())


def smooth(curve, window: int) -> np.ndarray:
    """Trailing moving mean over ``window`` iterations (shorter at the start), same length."""
    curve = np.asarray(curve, dtype=float)
    if window < 1:
        raise ValueError(f'smoothing window must be >= 1 iteration, got {window}')
    sums = np.cumsum(np.concatenate([[0.0], curve]))
    index = np.arange(1, len(curve) + 1)
    start = np.maximum(0, index - window)
    return (sums[index] - sums[start]) / (index - start)


def t_quantile_975(df: int) -> float:
    """Two-sided 95 % Student-t quantile for ``df`` degrees of freedom."""
    if df < 1:
        raise ValueError(f'a t interval needs at least 2 runs (df >= 1), got df={df}')
    return T975[df - 1] if df <= len(T975) else Z975


def band(runs, kind: str = 'range'):
    """Mean over runs and a band around it, per iteration.

    Args:
        runs: seeds x iterations.
        kind: ``'range'`` (min to max over runs) or ``'ci95'`` (mean +- t * s / sqrt(n);
            a single run has a zero-width band).

    Returns:
        ``(mean, low, high)``, arrays over iterations.
    """
    runs = np.atleast_2d(np.asarray(runs, dtype=float))
    mean = runs.mean(axis=0)
    if kind == 'range':
        return mean, runs.min(axis=0), runs.max(axis=0)
    if kind == 'ci95':
        if len(runs) < 2:
            return mean, mean.copy(), mean.copy()
        half = t_quantile_975(len(runs) - 1) * runs.std(axis=0, ddof=1) / np.sqrt(len(runs))
        return mean, mean - half, mean + half
    raise ValueError(f"band kind must be 'range' or 'ci95', got {kind!r}")


def rise_iteration(curve, level: float):
    """First iteration (1-based) at which ``curve`` reaches ``level``, or None."""
    hits = np.flatnonzero(np.asarray(curve, dtype=float) >= level)
    return int(hits[0]) + 1 if len(hits) else None


def chance_level(n_rows: int = N_ROWS, rewards=REWARD_BY_DISTANCE) -> float:
    """Mean reward of a uniformly random winner, averaged over rows (the curve's chance level).

    The curve averages a running mean per row that starts at 0, so even a random player's
    curve rises (towards this level) as the ball visits rows: a rise alone is no learning.
    """
    if n_rows < 1:
        raise ValueError(f'n_rows must be >= 1, got {n_rows}')
    rows = np.arange(n_rows)
    distance = np.abs(rows[:, None] - rows[None, :])
    table = np.zeros(n_rows)
    table[:min(n_rows, len(rewards))] = rewards[:n_rows]
    return float(table[distance].mean())


def within(value: float, values) -> bool:
    """Whether ``value`` lies in the closed range of ``values``."""
    return min(values) <= value <= max(values)


def inside_fraction(curve, low, high, tolerance: float = CURVE_TOLERANCE) -> float:
    """Share of iterations where ``curve`` lies in [low - tolerance, high + tolerance]."""
    curve, low, high = (np.asarray(a, dtype=float) for a in (curve, low, high))
    n = min(len(curve), len(low), len(high))
    if n == 0:
        raise ValueError('no iterations to compare')
    curve, low, high = curve[:n], low[:n], high[:n]
    return float(np.mean((curve >= low - tolerance) & (curve <= high + tolerance)))


# ---------------------------------------------------------------- runs and their cache

@dataclass
class Run:
    """One game of one implementation: both players' curves and its wall time.

    Attributes:
        impl: ORIGINAL, COMPAT or NEUROBOT.
        players: (left, right) configs.
        seed: the seed.
        iterations: requested iterations.
        curves: side -> mean reward per iteration (empty if the run failed).
        wall_s: game-loop wall time, s (None if unknown).
        error: why the run failed, or None.
        measured: UTC time the run ended.
        score: side -> points.
        progress: the original's progress lines (:func:`parse_progress`), also of a run
            that did not finish.
    """

    impl: str
    players: tuple
    seed: int
    iterations: int
    curves: dict = field(default_factory=dict)
    wall_s: float = None
    error: str = None
    measured: str = ''
    score: dict = field(default_factory=dict)
    progress: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.curves)

    @property
    def ms_per_iteration(self):
        if self.wall_s is None or not self.curves:
            return None
        return self.wall_s / len(next(iter(self.curves.values()))) * 1e3


def run_dir(cache: Path, impl: str, players: tuple, seed: int, iterations: int,
            buffers: str = NO_SHRINK) -> Path:
    """The cache folder of one run (NEST-default runs keep the layout of the first runs)."""
    kind = {ORIGINAL: 'original/plain', COMPAT: 'original/compat', NEUROBOT: 'neurobot/nb'}
    suffix = '-noshrink' if impl != NEUROBOT and buffers == NO_SHRINK else ''
    return cache / f'{kind[impl]}{suffix}_{"-".join(players)}_seed{seed}_n{iterations}'


def stamp(epoch_s: float) -> str:
    return datetime.fromtimestamp(epoch_s, timezone.utc).strftime('%Y-%m-%d %H:%M UTC')


def original_script() -> Path:
    """The installed ``run_simulations.py`` of NEST's pong example."""
    spec = importlib.util.find_spec('nest')
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError('NEST (the nest package) is not installed in this Python')
    script = (Path(list(spec.submodule_search_locations)[0]) / 'doc' / 'examples' / 'pynest'
              / 'pong' / 'run_simulations.py')
    if not script.is_file():
        raise RuntimeError(f'NEST pong example not found at {script}')
    return script


def read_side(out: Path, side: str) -> dict:
    """What the original wrote for one player (``data_left.pkl.gz`` / ``data_right.pkl.gz``)."""
    with gzip.open(out / f'data_{side}.pkl.gz', 'rb') as file:
        return pickle.load(file)


def read_original(folder: Path, impl: str, players: tuple, seed: int,
                  iterations: int) -> Run:
    """Read a finished (or failed) original run from its cache folder."""
    run = Run(impl, players, seed, iterations)
    log = (folder / 'stdout.log').read_text(errors='replace')
    meta = json.loads((folder / 'meta.json').read_text())
    run.measured = stamp(meta['t_end'])
    run.error = parse_error(log)
    run.progress = parse_progress(log)
    out = folder / 'out'
    if run.error is None and meta.get('rc', 0) != 0:
        run.error = f'exit code {meta["rc"]}'
    if run.error is None and not (out / 'data_right.pkl.gz').is_file():
        run.error = 'no data files written'
    if run.error is not None:
        return run
    for side in SIDES:
        data = read_side(out, side)
        run.curves[side] = curve_from_rewards(data['rewards'])
    done = parse_duration(log)
    run.wall_s = done[1] if done else None
    if run.progress:
        run.score = dict(zip(SIDES, run.progress[-1]['score']))
    return run


def unfinished_original(folder: Path, impl: str, players: tuple, seed: int, iterations: int):
    """A run still going or stopped before its end (log only, no data files), or None."""
    log_path = folder / 'stdout.log'
    if (folder / 'meta.json').is_file() or not log_path.is_file():
        return None  # not started, or finished but not to be reused (--fresh)
    log = log_path.read_text(errors='replace')
    progress = parse_progress(log)
    reached = f'run {progress[-1]["run"]} of {iterations}' if progress else 'no progress'
    return Run(impl, players, seed, iterations, progress=progress,
               error=parse_error(log) or f'unfinished (its log reaches {reached})')


def run_original(cache: Path, impl: str, players: tuple, seed: int, iterations: int,
                 reuse: bool = True, allow_run: bool = True, buffers: str = NO_SHRINK):
    """Run (or reuse) the original in a temporary working folder; None if not available."""
    folder = run_dir(cache, impl, players, seed, iterations, buffers)
    if (folder / 'meta.json').is_file():
        previous = read_original(folder, impl, players, seed, iterations)
        # A failed run is made again when runs are allowed (it fails within seconds, and
        # this re-checks the failure); without runs it is reported as it was.
        if (reuse and previous.ok) or not allow_run:
            return previous
    if not allow_run:
        return unfinished_original(folder, impl, players, seed, iterations)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    command = ['nice', '-n', str(NICE), sys.executable, str(LAUNCHER), '--seed', str(seed)]
    if impl == COMPAT:
        command.append('--compat-vt')
    if buffers == NO_SHRINK:
        command.append('--no-buffer-shrink')
    command += ['--', str(original_script()), '--runs', str(iterations),
                '--players', *players, '--out_dir', 'out']
    print(f'{impl} {" ".join(players)} seed {seed}: {" ".join(command)}', flush=True)
    work = Path(tempfile.mkdtemp(prefix='pong_original_'))
    start = time.time()
    try:
        with open(folder / 'stdout.log', 'w') as log:
            rc = subprocess.call(command, cwd=work, stdout=log, stderr=subprocess.STDOUT)
        if (work / 'out').is_dir():
            shutil.move(str(work / 'out'), str(folder / 'out'))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    (folder / 'meta.json').write_text(json.dumps(
        {'rc': rc, 't_start': start, 't_end': time.time(), 'command': command}))
    return read_original(folder, impl, players, seed, iterations)


def original_data(folder: Path) -> dict:
    """The arrays a finished original run wrote: per side rewards and weights, game state."""
    out = folder / 'out'
    data = {}
    for side in SIDES:
        written = read_side(out, side)
        data[f'{side} rewards'] = np.asarray(written['rewards'], dtype=float)
        data[f'{side} weights'] = np.asarray(written['weights'], dtype=float)
    with open(out / 'gamestate.pkl', 'rb') as file:
        game = pickle.load(file)
    for key in ('ball_pos', 'left_paddle', 'right_paddle', 'score'):
        data[key] = np.asarray(np.asarray(game[key]).tolist(), dtype=float)
    return data


def identical_prefix(short: dict, long: dict) -> list:
    """Names of the arrays in which a short run differs from the same iterations of a long one.

    Args:
        short: :func:`original_data` of the shorter run.
        long: :func:`original_data` of the run it must agree with.

    Returns:
        The keys whose first ``len(short[key])`` entries are not bit-for-bit equal
        (empty: identical).
    """
    differ = []
    for key, values in short.items():
        other = long.get(key)
        if other is None or len(other) < len(values) or not np.array_equal(
                values, other[:len(values)]):
            differ.append(key)
    return differ


def identity_row(cache: Path, impl: str, players: tuple, seed: int, iterations: int,
                 short_iterations: int, buffers: str, allow_run: bool) -> list:
    """Run the original again with the other buffer setting; compare with the main run."""
    other = NEST_DEFAULT if buffers == NO_SHRINK else NO_SHRINK
    main_run = run_dir(cache, impl, players, seed, iterations, buffers)
    short_iterations = min(short_iterations, iterations)
    label = [' '.join(players), impl, seed, f'{short_iterations} of {iterations}',
             f'{other} vs {buffers}']
    check = run_original(cache, impl, players, seed, short_iterations, allow_run=allow_run,
                         buffers=other)
    if check is None or not check.ok or not (main_run / 'out' / 'gamestate.pkl').is_file():
        return label + ['-', 'not compared (a run is missing or failed)']
    short_folder = run_dir(cache, impl, players, seed, short_iterations, other)
    differ = identical_prefix(original_data(short_folder), original_data(main_run))
    wall = (f'{check.ms_per_iteration:.0f} ms/iteration'
            if check.ms_per_iteration is not None else '-')
    return label + [wall, 'identical (rewards, weights, ball, paddles, score)' if not differ
                    else 'DIFFERENT: ' + ', '.join(differ)]


def run_neurobot(cache: Path, players: tuple, seed: int, iterations: int,
                 reuse: bool = True, allow_run: bool = True):
    """Run (or reuse) neurobot's offline pong; None if not available."""
    folder = run_dir(cache, NEUROBOT, players, seed, iterations)
    path = folder / 'record.npz'
    run = Run(NEUROBOT, players, seed, iterations)
    if not (reuse and path.is_file()):
        if not allow_run:
            return None
        sys.path.insert(0, str(REPO / 'neurobot'))  # experiments is not installed (yet)
        from experiments.pong import offline
        from tqdm import tqdm
        with tqdm(total=iterations, desc=f'neurobot {" ".join(players)} seed {seed}',
                  unit='it') as bar:
            record = offline.play_game(list(players), iterations, seed,
                                       progress=lambda _: bar.update())
        folder.mkdir(parents=True, exist_ok=True)
        np.savez(path, wall_s=record.wall_s, t_end=time.time(),
                 **{f'curve_{s}': record.curve(s) for s in SIDES},
                 **{f'score_{s}': record.score[s] for s in SIDES})
    data = np.load(path)
    run.curves = {s: data[f'curve_{s}'] for s in SIDES}
    run.wall_s = float(data['wall_s'])
    run.measured = stamp(float(data['t_end']))
    run.score = {s: int(data[f'score_{s}']) for s in SIDES}
    return run


# ---------------------------------------------------------------- table, verdict, figure

def fmt(value, digits=3):
    return '-' if value is None else f'{value:.{digits}f}'


def summary_rows(runs: list) -> list:
    """Table rows: one per (configuration, implementation, side)."""
    rows = []
    for (players, impl), group in group_runs(runs).items():
        good = [r for r in group if r.ok]
        for k, side in enumerate(SIDES):
            player = players[k]
            if not good:
                errors = sorted({r.error for r in group})
                status = ('UNFINISHED' if all(e.startswith('unfinished') for e in errors)
                          else 'FAILED')
                rows.append([' '.join(players), f'{player} ({side})', impl, status, '-', '-',
                             '-', '; '.join(f'seed {r.seed}: {r.error}' for r in group)])
                continue
            finals = [last_part_mean(r.curves[side]) for r in good]
            per_seed = ', '.join(f's{r.seed}: {v:.3f}' for r, v in zip(good, finals))
            ms = [r.ms_per_iteration for r in good if r.ms_per_iteration is not None]
            note = f'n={len(good[0].curves[side])}, measured {good[-1].measured}'
            note += ''.join(f'; seed {r.seed}: {r.error}' for r in group if not r.ok)
            rows.append([' '.join(players), f'{player} ({side})', impl, per_seed,
                         fmt(float(np.mean(finals))), f'{min(finals):.3f}-{max(finals):.3f}',
                         fmt(float(np.mean(ms)), 0) if ms else '-', note])
    return rows


def group_runs(runs: list) -> dict:
    """(players, impl) -> runs, in first-seen order."""
    groups = {}
    for run in runs:
        groups.setdefault((run.players, run.impl), []).append(run)
    return groups


def reference(groups: dict, players: tuple):
    """The original's runs to compare with: unchanged if they ran, else the compat runs."""
    for impl in (ORIGINAL, COMPAT):
        good = [r for r in groups.get((players, impl), []) if r.ok]
        if good:
            return impl, good
    return None, []


def verdict_rows(runs: list) -> list:
    """Per configuration and player: last-20 % within the original's range, curve shape."""
    groups = group_runs(runs)
    rows = []
    for players in dict.fromkeys(r.players for r in runs):
        ref_impl, ref = reference(groups, players)
        ours = [r for r in groups.get((players, NEUROBOT), []) if r.ok]
        for k, side in enumerate(SIDES):
            label = [' '.join(players), f'{players[k]} ({side})', ref_impl or '-']
            if not ref or not ours:
                rows.append(label + ['-', '-', '-', '-', 'no comparison (a side did not run)'])
                continue
            ref_finals = [last_part_mean(r.curves[side]) for r in ref]
            our_final = float(np.mean([last_part_mean(r.curves[side]) for r in ours]))
            n = min(min(len(r.curves[side]) for r in ref), min(len(r.curves[side]) for r in ours))
            ref_mean, low, high = band([r.curves[side][:n] for r in ref], 'range')
            our_mean = np.mean([r.curves[side][:n] for r in ours], axis=0)
            inside = inside_fraction(our_mean, low, high)
            rises = []
            for curve in (ref_mean, our_mean):
                final = last_part_mean(curve)
                rises.append('/'.join(str(rise_iteration(curve, f * final)) for f in RISE_LEVELS))
            in_range = within(our_final, ref_finals)
            alike = inside >= CURVE_INSIDE_FRACTION
            rows.append(label + [
                f'{our_final:.3f} in [{min(ref_finals):.3f}, {max(ref_finals):.3f}]: '
                f'{"yes" if in_range else "NO"}',
                f'{inside:.0%}', rises[0], rises[1],
                'met' if in_range and alike else 'NOT met'])
    return rows


def checkpoint_rows(runs: list) -> list:
    """The original's logged mean reward beside neurobot's seed mean and range.

    The original logs every 100 iterations, so unfinished runs have checkpoints too.
    The original logs ``Run N`` before iteration N, so its value is the curve after N
    iterations: neurobot's curve at index N - 1.
    """
    groups = group_runs(runs)
    rows = []
    for players in dict.fromkeys(r.players for r in runs):
        ours = [r for r in groups.get((players, NEUROBOT), []) if r.ok]
        for impl in (ORIGINAL, COMPAT):
            logged = [r for r in groups.get((players, impl), []) if r.progress]
            checkpoints = sorted({p['run'] for r in logged for p in r.progress} - {0})
            for n in checkpoints:
                row = [' '.join(players), impl, n]
                for k, side in enumerate(SIDES):
                    pairs = [(r.seed, p['mean_reward'][k]) for r in logged
                             for p in r.progress if p['run'] == n]
                    values = [f's{seed}: {value:.3f}' for seed, value in pairs]
                    at = [r.curves[side][n - 1] for r in ours if len(r.curves[side]) >= n]
                    mine = (f'{np.mean(at):.3f} ({min(at):.3f}-{max(at):.3f})' if at else '-')
                    if at and len(pairs) >= 2:  # the log rounds to 3 decimals
                        hit = within(round(float(np.mean(at)), 3), [v for _, v in pairs])
                        mine += ', in range: ' + ('yes' if hit else 'NO')
                    row += [', '.join(values), mine]
                rows.append(row)
    return rows


def ratio_rows(runs: list) -> list:
    """Per configuration: wall time per iteration of each implementation and the ratios."""
    groups = group_runs(runs)
    rows = []
    for players in dict.fromkeys(r.players for r in runs):
        ms = {}
        for impl in IMPLEMENTATIONS:
            values = [r.ms_per_iteration for r in groups.get((players, impl), [])
                      if r.ok and r.ms_per_iteration is not None]
            ms[impl] = float(np.mean(values)) if values else None
        ratio = {impl: (ms[NEUROBOT] / ms[impl] if ms[NEUROBOT] and ms[impl] else None)
                 for impl in (ORIGINAL, COMPAT)}
        rows.append([' '.join(players), fmt(ms[ORIGINAL], 0), fmt(ms[COMPAT], 0),
                     fmt(ms[NEUROBOT], 0)] + [
            f'{ratio[impl]:.4f} ({1 / ratio[impl]:.0f}x faster)' if ratio[impl] else '-'
            for impl in (ORIGINAL, COMPAT)])
    return rows


def markdown_table(header: list, rows: list) -> str:
    lines = ['| ' + ' | '.join(header) + ' |', '|' + '---|' * len(header)]
    lines += ['| ' + ' | '.join(str(c) for c in row) + ' |' for row in rows]
    return '\n'.join(lines)


def draw(runs: list, path: Path, window: int, kind: str, title: str) -> None:
    """One panel per configuration: seed-mean curves, smoothed, with bands across seeds."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    groups = group_runs(runs)
    configs = list(dict.fromkeys(r.players for r in runs))
    fig, axes = plt.subplots(1, len(configs), figsize=(6.5 * len(configs), 4.8), squeeze=False)
    colors = {'left': 'tab:blue', 'right': 'tab:red'}
    styles = {ORIGINAL: '-', COMPAT: '-', NEUROBOT: '--'}
    top = 0.0  # the highest band drawn, to fit the y axis to short (low) curves
    for ax, players in zip(axes[0], configs):
        for impl in IMPLEMENTATIONS:
            good = [r for r in groups.get((players, impl), []) if r.ok]
            for k, side in enumerate(SIDES):
                if not good:
                    continue
                n = min(len(r.curves[side]) for r in good)
                mean, low, high = band([smooth(r.curves[side][:n], window) for r in good], kind)
                x = np.arange(1, n + 1)
                top = max(top, float(high.max()))
                ax.plot(x, mean, styles[impl], color=colors[side], lw=1.6,
                        alpha=1.0 if impl == NEUROBOT else 0.8,
                        label=f'{impl}: {players[k]} ({side}), {len(good)} seeds')
                ax.fill_between(x, low, high, color=colors[side],
                                alpha=0.12 if impl == NEUROBOT else 0.22,
                                hatch='//' if impl == NEUROBOT else None, lw=0)
        for impl in (ORIGINAL, COMPAT):  # runs that did not finish: their logged checkpoints
            for run in groups.get((players, impl), []):
                points = [p for p in run.progress if p['run'] > 0]
                for k, side in enumerate(SIDES):
                    if run.ok or not points:
                        continue
                    ax.plot([p['run'] for p in points], [p['mean_reward'][k] for p in points],
                            'o', color=colors[side], mfc='none', ms=7,
                            label=f'{impl}: {players[k]} ({side}), seed {run.seed}, '
                                  f'unfinished: its logged checkpoints')
        failed = [impl for impl in (ORIGINAL,) if groups.get((players, impl))
                  and not any(r.ok for r in groups[(players, impl)])]
        subtitle = ' '.join(players)
        if failed:
            errors = {r.error for r in groups[(players, ORIGINAL)]}
            subtitle += f'\noriginal unchanged FAILED ({"; ".join(sorted(errors))})'
        ax.axhline(chance_level(), color='grey', ls=':', lw=1.2,
                   label=f'chance (random winner, all rows visited): {chance_level():.3f}')
        ax.set_title(subtitle, fontsize=10)
        ax.set_xlabel('iteration (200 ms each)')
        ax.set_ylabel('mean reward (mean over rows of running mean)')
        ax.grid(alpha=0.3)
        ax.legend(loc='upper left', fontsize=8)
    for ax in axes[0]:
        ax.set_ylim(0.0, min(1.0, max(0.5, top + 0.2)))
    band_text = 'min-max over seeds' if kind == 'range' else 'Student-t 95 % CI of the mean'
    fig.suptitle(f'{title}\nsolid: NEST original, dashed: neurobot; '
                 f'smoothed over {window} iterations; band: {band_text}', fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--configs', nargs='+', default=['r rn', 'dn r'],
                        help='configurations, two players each, e.g. "r rn" "dn r"')
    parser.add_argument('--seeds', type=int, nargs='+', default=[1, 2, 3, 4, 5],
                        help='seeds (default 5: with 2, the original\'s range of a player can be '
                             'one value, e.g. r in dn r: 0.290 on both)')
    parser.add_argument('--iterations', type=int, default=1000)
    parser.add_argument('--cache-dir', type=Path, default=REPO / 'results' / 'pong_compare',
                        help='runs are stored here and reused when complete')
    parser.add_argument('--fresh', action='store_true', help='ignore cached runs')
    parser.add_argument('--no-run', action='store_true',
                        help='run nothing: draw table and PNG from cached runs only')
    parser.add_argument('--only', choices=[ORIGINAL, NEUROBOT],
                        help="run only this side (the other is still read from the cache)")
    parser.add_argument('--no-compat', action='store_true',
                        help='skip the compatibility runs of configurations with dopamine')
    parser.add_argument('--nest-default-buffers', action='store_true',
                        help="run the original with NEST's default spike-buffer shrink limit "
                             '(it then slows down as it runs)')
    parser.add_argument('--identity-iterations', type=int, default=DEFAULT_IDENTITY_ITERATIONS,
                        help='iterations of the run with the other buffer setting that must '
                             'be identical to the main run (first seed; 0: no check)')
    parser.add_argument('--smooth', type=int, default=DEFAULT_SMOOTH,
                        help='moving-mean window of the drawn curves, iterations')
    parser.add_argument('--band', choices=['range', 'ci95'], default='range')
    parser.add_argument('--png', type=Path, default=REPO / 'bench' / 'pong_compare.png')
    parser.add_argument('--markdown', type=Path,
                        help='also write the tables as markdown to this file')
    args = parser.parse_args(argv)
    try:
        configs = [parse_players(c) for c in args.configs]
    except ValueError as error:
        parser.error(str(error))
    if args.iterations < 1:
        parser.error('--iterations must be >= 1')

    runs = []
    reuse = not args.fresh
    buffers = NEST_DEFAULT if args.nest_default_buffers else NO_SHRINK
    allow_original = not args.no_run and args.only != NEUROBOT
    for players in configs:
        for seed in args.seeds:
            impls = [ORIGINAL]
            if not args.no_compat and any(p.startswith('d') for p in players):
                impls.append(COMPAT)
            for impl in impls:
                run = run_original(args.cache_dir, impl, players, seed, args.iterations,
                                   reuse=reuse, allow_run=allow_original, buffers=buffers)
                if run is not None:
                    runs.append(run)
            run = run_neurobot(args.cache_dir, players, seed, args.iterations, reuse=reuse,
                               allow_run=not args.no_run and args.only != ORIGINAL)
            if run is not None:
                runs.append(run)
    if not runs:
        sys.exit('no runs: nothing cached under --cache-dir and --no-run given')
    identity = []
    if args.identity_iterations > 0:
        groups = group_runs(runs)
        for players in configs:
            impl, good = reference(groups, players)
            if impl is not None:
                identity.append(identity_row(args.cache_dir, impl, players, good[0].seed,
                                             args.iterations, args.identity_iterations,
                                             buffers, allow_original))

    now = datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')
    command = 'python bench/pong_compare.py ' + ' '.join(
        f'"{a}"' if ' ' in a else a for a in (argv if argv is not None else sys.argv[1:]))
    tables = [
        (f'Mean reward over the last {LAST_FRACTION:.0%} of iterations (chance level of a '
         f'random winner once every row is visited: {chance_level():.3f})', [
            'config', 'player', 'implementation', 'per seed', 'mean', 'range',
            'ms/iteration', 'note'], summary_rows(runs)),
        ('Targets (neurobot against the original, or its compat run if it failed): '
         f'last-20 % seed mean within the original\'s range; curve "alike" = neurobot\'s '
         f'seed-mean curve inside the original\'s min-max band +-{CURVE_TOLERANCE} for '
         f'>= {CURVE_INSIDE_FRACTION:.0%} of iterations', [
             'config', 'player', 'reference', 'last 20 % in range', 'curve inside band',
             f'reference reaches {"/".join(f"{f:.0%}" for f in RISE_LEVELS)} of final at',
             'neurobot reaches them at', 'target'], verdict_rows(runs)),
        ("Checkpoints from the original's log (mean reward after N iterations; unfinished "
         "runs included) beside neurobot's seed mean (range)", [
             'config', 'original run', 'N', 'left: original', 'left: neurobot',
             'right: original', 'right: neurobot'], checkpoint_rows(runs)),
        ('Wall time per iteration (game loop, ms) and ratio neurobot / original', [
            'config', 'original', 'original (compat)', 'neurobot', 'ratio vs original',
            'ratio vs compat'], ratio_rows(runs)),
        (f'The original with {buffers} spike buffers (the runs above) against the same run '
         'with the other setting, over its first iterations', [
             'config', 'original run', 'seed', 'iterations', 'buffers', 'wall time (other)',
             'result'], identity),
    ]
    text = [f'pong compare, {now}, {platform.node()} ({platform.machine()}, '
            f'{os.cpu_count()} cores), command: {command}']
    for title, header, rows in tables:
        text += ['', f'**{title}**', '', markdown_table(header, rows)]
    print('\n'.join(text))
    seeds = sorted({r.seed for r in runs})
    draw(runs, args.png, args.smooth, args.band,
         f'NEST pong example vs neurobot, {args.iterations} iterations, seeds {seeds}')
    print(f'\ncurves: {args.png}')
    if args.markdown:
        args.markdown.write_text('\n'.join(text) + '\n')


if __name__ == '__main__':
    main()
