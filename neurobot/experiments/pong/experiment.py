"""Pong as a neurobot experiment: its arguments, nodes and ``neurobot run pong``.

Registered in setup.py under the entry-point group ``neurobot.experiments`` as
``pong = experiments.pong.experiment:EXPERIMENT``; ``neurobot launch pong``,
``neurobot run pong`` and ``ros2 launch neurobot pong.launch.py`` build on it.

Nodes (every one a lockstep participant but the monitor):

- ``/world`` (``pong_world``, :mod:`experiments.pong.world_node`): the game, one step per
  200 ms round, publishing ``/pong/state`` and ``/clock``, taking ``/<side>/paddle``;
- per player, in the namespace of its side (``/left``, ``/right``): ``brain``
  (brain_node on the player's brain file, ``brain_args`` noise and neurons, seed
  ``seed`` for the left player and ``seed + 1`` for the right one, as the offline runner)
  and ``tf_node`` (:mod:`experiments.pong.transfer_functions`).

Two dopamine players may play each other here: each brain has its own NEST kernel and
volume transmitter (NEST's example cannot, having one kernel).
"""

import argparse
import sys
import threading
import time

from experiments.pong import results
from experiments.pong.game import LEFT, RIGHT
from experiments.pong.player import DOPA_POPULATION, brain_arguments, brain_file, check_config
from neurobot import bringup
from neurobot.bringup import Argument, NodeSpec
from neurobot.experiment import Experiment

SIDES = (LEFT, RIGHT)
TRANSFER_FUNCTIONS = bringup.default_path('experiments', 'pong', 'transfer_functions.py')

ARGUMENTS = (
    Argument('players', 'r,rn', 'Player configurations, comma-separated, left first (one or '
             'two): r / rn R-STDP without / with noise, d / dn dopamine actor-critic without '
             '/ with noise (NEST pong example\'s names)'),
    Argument('iterations', '1000', 'Game steps to play (200 ms of brain time each); the run '
             'ends after the last', kind='int', low=1, high=10**7),
)

DEFAULTS = {
    'step_ms': '200.0',  # the original's POLL_TIME
    'resolution_ms': '0.1',  # NEST's default, the original's; input trains are on this grid
    'transfer_functions': '',  # the players' tf_nodes come from extra_nodes
    'monitoring': 'false',  # spike_raster and markers watch a single unnamespaced brain
    'lockstep_timeout_s': '60.0',
    'run_dir': 'results/pong',
}


def players(values: dict) -> dict:
    """Side -> player configuration from the ``players`` argument.

    Raises:
        ValueError: not one or two known configurations.
    """
    configs = [c.strip() for c in str(values['players']).split(',') if c.strip()]
    if len(configs) not in (1, 2):
        raise ValueError(f'players must name one or two players (e.g. r,rn), got '
                         f'{values["players"]!r}')
    try:
        return {side: check_config(config) for side, config in zip(SIDES, configs)}
    except ValueError as error:
        raise ValueError(f'players: {error}') from None


def player_seed(values: dict, side: str) -> int:
    """The seed of a player's brain and tie-breaking: seed (left), seed + 1 (right)."""
    return int(values['seed']) + SIDES.index(side)


def world_nodes(values: dict) -> list:
    """The pong world (lockstep parameters are added by the bring-up).

    Raises:
        ValueError: bad players, or a bring-up without lockstep (pong's world and
            players advance in lockstep rounds only).
    """
    players(values)  # a bad players argument fails before anything starts
    if not bringup.lockstep_enabled(values):
        raise ValueError('pong runs in lockstep rounds only: keep world:=embedded and '
                         'use_sim_time:=true')
    return [NodeSpec('world', 'pong_world', parameters={
        'seed': int(values['seed']),
        'step_ms': float(values['step_ms']),
        'iterations': int(values['iterations']),
        'use_sim_time': False,  # the world *is* the clock
    })]


def brain_nodes(values: dict) -> list:
    """One brain_node per player, in the player's namespace."""
    nodes = []
    for side, config in players(values).items():
        spec = bringup.brain_node(values, namespace=side, brain=str(brain_file(config)),
                                  brain_args=brain_arguments(config))
        spec.parameters['seed'] = player_seed(values, side)
        nodes.append(spec)
    return nodes


def extra_nodes(values: dict) -> list:
    """One tf_node per player beside its brain (a transfer participant of lockstep)."""
    nodes = []
    for side, config in players(values).items():
        remappings = []
        if config.startswith('d'):  # the reward current goes to the dopaminergic neurons
            remappings.append(('reward', f'brain/{DOPA_POPULATION}/stimulus'))
        nodes.append(NodeSpec('tf_node', 'tf_node', namespace=side, remappings=remappings,
                              parameters={
                                  'transfer_functions': [TRANSFER_FUNCTIONS],
                                  'use_sim_time': bringup.as_bool(values['use_sim_time']),
                                  'step_ms': float(values['step_ms']),
                                  'seed': int(values['seed']),
                                  'run_dir': values['run_dir'],
                                  'side': side, 'player': config,
                                  'iterations': int(values['iterations']),
                                  'player_seed': player_seed(values, side),
                                  'max_consecutive_failures':
                                      int(values['max_consecutive_failures'])}))
    return nodes


def run(argv) -> int:
    """``neurobot run pong [--players r,rn] [--iterations N] [--seed S] [--run-dir D]``.

    Plays the game over ROS (every node its own process, output in
    ``<run_dir>/logs/launch.log``) with a progress bar over iterations, then writes
    ``<run_dir>/rewards.csv`` per player (``<side>_rewards.csv``), prints a summary and
    draws ``<run_dir>/mean_reward.png``. More ``name:=value`` launch arguments follow
    the options (``neurobot launch pong --show-args``).
    """
    parser = argparse.ArgumentParser(prog='neurobot run pong',
                                     description='play pong with spiking players over ROS')
    parser.add_argument('--players', default=None, help='e.g. r,rn (as players:=)')
    parser.add_argument('--iterations', type=int, default=None, help='game steps')
    parser.add_argument('--seed', type=int, default=None)
    parser.add_argument('--run-dir', default=None)
    parser.add_argument('arguments', nargs='*', help='more name:=value launch arguments')
    args = parser.parse_args(argv)
    from neurobot.cli import parse_launch_arguments
    try:
        given = parse_launch_arguments(args.arguments)
        for name, value in (('players', args.players), ('iterations', args.iterations),
                            ('seed', args.seed), ('run_dir', args.run_dir)):
            if value is not None:
                given[name] = str(value)
        values = bringup.resolve(EXPERIMENT, given)
        specs = bringup.nodes(EXPERIMENT, given)
        configs = players(values)
    except ValueError as error:
        print(f'neurobot run pong: {error}', file=sys.stderr)
        return 2
    from pathlib import Path

    from neurobot.ownership import RunDirectoryBusy, RunLock
    run_dir = Path(values['run_dir'])
    logs = run_dir / 'logs'
    try:
        lock = RunLock(run_dir)  # one run per directory: two would write the same CSVs
        logs.mkdir(parents=True, exist_ok=True)
        for side in SIDES:
            results.rewards_csv(run_dir, side).unlink(missing_ok=True)
    except RunDirectoryBusy as error:
        print(f'neurobot run pong: {error}', file=sys.stderr)
        return 2
    except OSError as error:
        print(f'neurobot run pong: {run_dir}: {error.strerror or error}', file=sys.stderr)
        return 2
    try:
        code, reason = _launch(specs, values, logs / 'launch.log', run_dir,
                               int(values['iterations']))
    finally:
        lock.release()
    if code != 0:
        print(f'neurobot run pong: the run failed (exit {code}): {reason or "see the log"}; '
              f'node output in {logs / "launch.log"}', file=sys.stderr)
        return code
    for summary in results.summarize(run_dir, configs, seed=int(values['seed'])):
        print(summary.line())
    print(f'figure: {results.plot_mean_reward(run_dir, configs)}')
    return 0


def _launch(specs, values, log_path, run_dir, iterations) -> tuple:
    """Run the nodes (output to ``log_path``) with a progress bar; (exit status, reason)."""
    from tqdm import tqdm

    from neurobot.dds import configure_local_dds
    from neurobot.launcher import Launcher
    configure_local_dds()
    done = threading.Event()

    def progress():
        with tqdm(total=iterations, unit='iteration', desc='pong') as bar:
            while not done.is_set():
                bar.update(results.completed_iterations(run_dir) - bar.n)
                time.sleep(0.5)
            bar.update(results.completed_iterations(run_dir) - bar.n)

    watcher = threading.Thread(target=progress, daemon=True)
    with open(log_path, 'a') as log:
        launcher = Launcher(specs, log_level=values['log_level'], out=log)
        watcher.start()
        try:
            return launcher.run(), launcher.reason
        finally:
            done.set()
            watcher.join(timeout=5)


EXPERIMENT = Experiment(
    name='pong',
    summary='two spiking players learn pong (NEST\'s pong example: R-STDP and dopamine '
            'actor-critic players r, rn, d, dn)',
    arguments=ARGUMENTS,
    defaults=DEFAULTS,
    world_nodes=world_nodes,
    brain_nodes=brain_nodes,
    extra_nodes=extra_nodes,
    run=run,
)
