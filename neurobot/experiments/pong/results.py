"""A pong run's results: the players' per-iteration CSVs, a summary, the mean-reward plot.

Each player's transfer function writes ``<run_dir>/<side>_rewards.csv`` (one row per
iteration: the ball's row, the winning neuron, the distance reward, the mean over rows
of the running mean reward, the paddle's row and move). :func:`summarize` reads them
back and compares the last fifth of the iterations with a random paddle's reward on the
same rows (:func:`experiments.pong.player.random_paddle_reward`, the chance level the
offline runner uses too); :func:`plot_mean_reward` draws the original's curve, the mean
reward per player.

ROS-free.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from experiments.pong.game import LEFT, RIGHT
from experiments.pong.player import random_paddle_reward

SIDES = (LEFT, RIGHT)
LAST_PART = 0.2  # the summary's final stretch: the last 20 % of the iterations


def rewards_csv(run_dir, side: str) -> Path:
    """The per-iteration CSV one player's transfer function writes."""
    return Path(run_dir) / f'{side}_rewards.csv'


def read_player(run_dir, side: str) -> dict:
    """One player's CSV as numpy columns ({} when the player did not play).

    Raises:
        ValueError: a file whose rows do not parse.
    """
    path = rewards_csv(run_dir, side)
    if not path.exists():
        return {}
    with open(path, newline='') as handle:
        rows = list(csv.DictReader(handle))
    try:
        return {key: np.array([float(r[key]) for r in rows]) for key in rows[0]} if rows else \
            {'iteration': np.zeros(0)}
    except (KeyError, ValueError, TypeError) as error:
        raise ValueError(f'{path}: unreadable row ({error})') from None


def completed_iterations(run_dir, side: str = LEFT) -> int:
    """Iterations a player has written so far (for progress bars)."""
    path = rewards_csv(run_dir, side)
    if not path.exists():
        return 0
    with open(path) as handle:
        return max(sum(1 for _ in handle) - 1, 0)


@dataclass
class PlayerSummary:
    """How one player did.

    Attributes:
        side: 'left' or 'right'.
        config: the player configuration.
        iterations: iterations played.
        first_reward: mean distance reward over the first ``LAST_PART`` of iterations.
        last_reward: the same over the last part.
        chance: a random paddle's mean reward on the last part's rows.
        final_mean_reward: the original's curve at the end.
    """

    side: str
    config: str
    iterations: int
    first_reward: float
    last_reward: float
    chance: float
    final_mean_reward: float

    def line(self) -> str:
        return (f'{self.side:>5} ({self.config:>2}): {self.iterations} iterations, reward '
                f'{self.first_reward:.3f} (first {LAST_PART:.0%}) -> {self.last_reward:.3f} '
                f'(last {LAST_PART:.0%}; random paddle {self.chance:.3f}), mean reward '
                f'{self.final_mean_reward:.3f}')


def summarize(run_dir, configs: dict, seed: int = 1) -> list:
    """A :class:`PlayerSummary` per player that wrote a CSV (configs: side -> config)."""
    summaries = []
    for side in SIDES:
        data = read_player(run_dir, side)
        n = len(data.get('iteration', ()))
        if not n:
            continue
        part = max(int(round(n * LAST_PART)), 1)
        rewards = data['reward']
        summaries.append(PlayerSummary(
            side=side, config=configs.get(side, '?'), iterations=n,
            first_reward=float(rewards[:part].mean()), last_reward=float(rewards[-part:].mean()),
            chance=random_paddle_reward(data['row'][-part:].astype(np.int64), seed),
            final_mean_reward=float(data['mean_reward'][-1])))
    return summaries


def plot_mean_reward(run_dir, configs: dict, path=None) -> Path:
    """Draw the mean reward per player over the iterations; returns the PNG's path."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    path = Path(path or Path(run_dir) / 'mean_reward.png')
    figure, axes = plt.subplots(figsize=(7, 4))
    for side in SIDES:
        data = read_player(run_dir, side)
        if len(data.get('iteration', ())):
            axes.plot(data['iteration'], data['mean_reward'],
                      label=f'{side}: {configs.get(side, "?")}')
    axes.set_xlabel('iteration')
    axes.set_ylabel('mean reward (mean over rows of the running mean)')
    axes.set_ylim(0.0, 1.0)
    axes.set_title('pong on neurobot')
    axes.legend(loc='lower right')
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path
