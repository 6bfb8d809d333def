"""Play NEST's pong example on neurobot without ROS: mean reward and wall time per player.

The brains (neurobot/experiments/pong/brain_*.py in brain_node.brain.Brain), the game core,
the codes and the learning rules are the experiment's own (experiments.pong.offline);
only ROS is left out. Two players run in two processes, one NEST kernel each.

Prints, per player: the mean reward (the mean over rows of the running mean reward per
row, the curve NEST's example records) averaged over the last 20 % of iterations, the
distance reward over the same iterations, a random paddle's reward on the same balls,
and the wall time per iteration; draws the mean-reward curves (mean over seeds, band:
min to max) as a PNG.

Usage: python bench/pong_offline.py [--players r rn] [--iterations 1000] [--seeds 1 2]
       [--png results/pong_offline.png]
"""

import argparse
from datetime import datetime, timezone
from pathlib import Path
import platform
import sys

import numpy as np
from tqdm import tqdm

from benchlib import REPO, print_table

sys.path.insert(0, str(REPO / 'neurobot'))  # experiments is not an installed package (yet)

from experiments.pong import offline  # noqa: E402

LAST_FRACTION = 0.2  # the table averages the last 20 % of iterations


def last_part(values: np.ndarray) -> np.ndarray:
    return values[-max(1, int(round(LAST_FRACTION * len(values)))):]


def draw(curves: dict, path: Path, title: str) -> None:
    """Draw mean-reward curves (label -> seeds x iterations) with min-max bands as a PNG."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for label, runs in curves.items():
        runs = np.asarray(runs)
        x = np.arange(1, runs.shape[1] + 1)
        ax.plot(x, runs.mean(axis=0), label=f'{label} (n={len(runs)})')
        ax.fill_between(x, runs.min(axis=0), runs.max(axis=0), alpha=0.25)
    ax.set_xlabel('iteration (200 ms each)')
    ax.set_ylabel('mean reward (mean over rows)')
    ax.set_ylim(0.0, 1.0)
    ax.set_title(title)
    ax.legend(loc='upper left')
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--players', nargs='+', default=['r', 'rn'], choices=offline.CONFIGS,
                        help='one or two player configs; the first plays left')
    parser.add_argument('--iterations', type=int, default=1000)
    parser.add_argument('--seeds', type=int, nargs='+', default=[1])
    parser.add_argument('--png', type=Path, default=REPO / 'results' / 'pong_offline.png')
    args = parser.parse_args()
    if len(args.players) > 2:
        parser.error('a game has one or two players')

    curves, rows = {}, []
    for seed in args.seeds:
        with tqdm(total=args.iterations, desc=f'seed {seed}', unit='it') as bar:
            record = offline.play_game(args.players, args.iterations, seed,
                                       progress=lambda _: bar.update())
        chance = offline.random_paddle_reward(last_part(np.array(record.rows)), seed)
        for side, config in record.configs.items():
            curve = record.curve(side)
            curves.setdefault(f'{config} ({side})', []).append(curve)
            rows.append((config, side, seed, float(last_part(curve).mean()),
                         float(last_part(record.rewards(side)).mean()), chance,
                         record.wall_s / args.iterations * 1e3, record.score[side]))
    stamp = datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')
    print_table(f'pong offline, {args.iterations} iterations, {stamp}, {platform.node()} '
                f'({platform.processor() or platform.machine()}), '
                f'command: python bench/pong_offline.py {" ".join(sys.argv[1:])}',
                ['player', 'side', 'seed', 'mean reward last 20%', 'reward last 20%',
                 'random paddle', 'ms/iteration', 'points'], rows)
    draw(curves, args.png, f'neurobot pong: {" vs ".join(args.players)}, '
         f'{args.iterations} iterations, seeds {args.seeds}')
    print(f'\ncurves: {args.png}')


if __name__ == '__main__':
    main()
