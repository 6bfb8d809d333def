"""The ``neurobot`` command.

    neurobot experiments                 # the registered experiments, one line each
    neurobot run <experiment> [options] [name:=value ...]
    neurobot launch <experiment> [world:=embedded] [step_ms:=200.0] [brain:=...] ...
    neurobot launch <experiment> --show-args
    neurobot recording-plots run.mcap [--weights FILE] [--maze YAML] [-o DIR]
    neurobot recording-export run.mcap --populations places,actions --window-ms 100 ...
    neurobot recording-train data.npz -o model.npz [--only-active places]
    eval "$(neurobot env)"      # this terminal joins the nodes' DDS (ros2 topic list, ...)

Experiments add their own subcommands (the maze: ``neurobot maze``, ``maze-eval``,
``maze-plots``); ``neurobot run <experiment>`` runs an experiment the way it says
(the maze: train, evaluate, draw).

``neurobot launch <experiment>`` starts the same nodes, with the same parameters, as
``ros2 launch neurobot <experiment>.launch.py``, from the one description in
:mod:`neurobot.bringup`, for machines without ROS 2's launch tools.
"""

import argparse
import sys

from neurobot import bringup
from neurobot import experiment as experiments
from neurobot.dds import configure_local_dds


def parse_launch_arguments(items) -> dict:
    """Parse ``name:=value`` words (the ros2 launch syntax).

    Raises:
        ValueError: a word without ':='.
    """
    values = {}
    for item in items:
        if ':=' not in item:
            raise ValueError(f'launch arguments are written name:=value, got {item!r}')
        name, value = item.split(':=', 1)
        values[name] = value
    return values


def show_arguments(arguments):
    for argument in arguments:
        allowed = f' ({argument.allowed()})' if argument.allowed() else ''
        print(f"  {argument.name}:\n      {argument.description}{allowed}\n"
              f"      (default: '{argument.default}')")


def launch(args) -> int:
    """``neurobot launch <experiment>``: start its nodes, or list its arguments."""
    try:
        experiment = experiments.get(args.experiment)
        arguments = bringup.experiment_arguments(experiment)
    except ValueError as error:
        print(f'neurobot launch: {error}', file=sys.stderr)
        return 2
    if args.show_args:
        print(f'Arguments of {experiment.name} (name:=value):')
        show_arguments(arguments)
        return 0
    from neurobot.ownership import RunDirectoryBusy, RunLock
    try:
        given = parse_launch_arguments(args.arguments)
        values = bringup.resolve(experiment, given)
        specs = bringup.nodes(experiment, given)
        lock = RunLock(values['run_dir'])
    except (ValueError, RunDirectoryBusy) as error:
        print(f'neurobot launch {experiment.name}: {error}', file=sys.stderr)
        return 2
    except OSError as error:
        print(f'neurobot launch {experiment.name}: run_dir {values["run_dir"]}: '
              f'{error.strerror or error}', file=sys.stderr)
        return 2
    configure_local_dds()
    from neurobot.launcher import Launcher
    try:
        return Launcher(specs, log_level=values['log_level']).run()
    finally:
        lock.release()


def launch_quiet(specs, log_level: str, log_path, progress=None) -> tuple:
    """Run ``specs`` with node output appended to ``log_path``; optional progress callback.

    Args:
        specs: the NodeSpecs to start.
        log_level: ROS log level of every node.
        log_path: the log file.
        progress: called in a thread with a threading.Event set when the run ends.

    Returns:
        (exit status, why the run stopped or None).
    """
    import threading

    from neurobot.launcher import Launcher
    with open(log_path, 'a') as log:
        launcher = Launcher(specs, log_level=log_level, out=log)
        done = threading.Event()
        watcher = None
        if progress is not None:
            watcher = threading.Thread(target=progress, args=(done,), daemon=True)
            watcher.start()
        try:
            return launcher.run(), launcher.reason
        finally:
            done.set()
            if watcher is not None:
                watcher.join(timeout=5)


def list_experiments(args) -> int:
    """``neurobot experiments``: name and summary of every registered experiment."""
    registered = experiments.registered()
    if not registered:
        print('no experiments installed (entry-point group neurobot.experiments)')
        return 0
    width = max(len(name) for name in registered)
    for name, experiment in registered.items():
        print(f'{name:<{width}}  {experiment.summary}')
    return 0


def run(args) -> int:
    """``neurobot run <experiment> ...``: the experiment's own runner."""
    try:
        experiment = experiments.get(args.experiment)
    except ValueError as error:
        print(f'neurobot run: {error}', file=sys.stderr)
        return 2
    if experiment.run is None:
        print(f'neurobot run: experiment {experiment.name} has no runner; start it with '
              f'neurobot launch {experiment.name}', file=sys.stderr)
        return 2
    return experiment.run(list(args.arguments))


def env(args) -> int:
    """Print the shell exports of :func:`neurobot.dds.shell_exports`."""
    from neurobot.dds import shell_exports
    print(shell_exports())
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog='neurobot', description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest='command', required=True)
    registered = experiments.registered()
    names = ', '.join(sorted(registered)) or 'none installed'
    commands.add_parser('experiments', help='list the registered experiments').set_defaults(
        run=list_experiments)
    run_parser = commands.add_parser(
        'run', help=f'run an experiment ({names}); options after the name are its own',
        add_help=False)
    run_parser.add_argument('experiment', help=f'one of: {names}')
    run_parser.add_argument('arguments', nargs=argparse.REMAINDER,
                            help='the experiment\'s options and name:=value arguments')
    run_parser.set_defaults(run=run)
    launch_parser = commands.add_parser(
        'launch', help='start an experiment\'s nodes (like ros2 launch, without ROS 2 '
                       'launch tools)')
    launch_parser.add_argument('experiment', help=f'one of: {names}')
    launch_parser.add_argument('arguments', nargs='*', help='name:=value launch arguments')
    launch_parser.add_argument('--show-args', action='store_true',
                               help='list the launch arguments with defaults and descriptions')
    launch_parser.set_defaults(run=launch)
    env_parser = commands.add_parser(
        'env', help='print shell exports that make a terminal join the nodes\' DDS: '
                    'eval "$(neurobot env)"')
    env_parser.set_defaults(run=env)
    from neurobot.analysis.commands import add_parsers as add_recording_parsers
    add_recording_parsers(commands)
    for experiment in registered.values():
        if experiment.add_commands is not None:
            experiment.add_commands(commands)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == '__main__':
    sys.exit(main())
