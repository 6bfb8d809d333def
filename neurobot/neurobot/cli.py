"""The ``neurobot`` command.

    neurobot maze [--episodes 100] [--seed 1] [--run-dir results/maze] [--maze FILE]
                  [--max-moves N] [name:=value ...]
    neurobot maze-eval [--run-dir results/maze]
    neurobot maze-plots [--run-dir results/maze]
    neurobot recording-plots run.mcap [--weights FILE] [--maze YAML] [-o DIR]
    neurobot recording-export run.mcap --populations places,actions --window-ms 100 ...
    neurobot recording-train data.npz -o model.npz [--only-active places]
    neurobot launch maze [world:=embedded] [step_ms:=200.0] [brain:=...] ...
    neurobot launch maze --show-args
    eval "$(neurobot env)"      # this terminal joins the nodes' DDS (ros2 topic list, ...)

``neurobot maze`` trains (every node in its own process, output in <run-dir>/logs),
shows a progress bar over episodes, evaluates the greedy policy from every start cell
and draws the figures.

``neurobot launch`` starts the same nodes, with the same parameters, as
``ros2 launch neurobot maze.launch.py``, from the one description in
:mod:`neurobot.bringup`, for machines without ROS 2's launch tools.
"""

import argparse
import sys

from neurobot import bringup
from neurobot.dds import configure_local_dds

BRINGUPS = {
    'maze': (bringup.MAZE_ARGUMENTS, bringup.maze_nodes),
}


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
    arguments, build = BRINGUPS[args.bringup]
    if args.show_args:
        print(f'Arguments of {args.bringup} (name:=value):')
        show_arguments(arguments)
        return 0
    from neurobot.ownership import RunDirectoryBusy, RunLock
    try:
        given = parse_launch_arguments(args.arguments)
        values = bringup.resolve_arguments(arguments, given)
        specs = build(given)
        lock = RunLock(values['run_dir']) if 'run_dir' in values else None
    except (ValueError, RunDirectoryBusy) as error:
        print(f'neurobot launch {args.bringup}: {error}', file=sys.stderr)
        return 2
    except OSError as error:
        print(f'neurobot launch {args.bringup}: run_dir {values["run_dir"]}: '
              f'{error.strerror or error}', file=sys.stderr)
        return 2
    configure_local_dds()
    from neurobot.launcher import Launcher
    try:
        return Launcher(specs, log_level=values['log_level']).run()
    finally:
        if lock is not None:
            lock.release()


def _launch_quiet(given: dict, log_path, progress=None) -> tuple:
    """Run the maze bring-up with node output in ``log_path``; optional progress callback.

    Returns:
        (exit status, why the run stopped or None).
    """
    import threading

    from neurobot.launcher import Launcher
    specs = bringup.maze_nodes(given)
    values = bringup.resolve_arguments(bringup.MAZE_ARGUMENTS, given)
    with open(log_path, 'a') as log:
        launcher = Launcher(specs, log_level=values['log_level'], out=log)
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


def maze(args) -> int:
    """Train, evaluate and plot (see the module docstring); one line for a bad argument."""
    from neurobot.maze_results import RunDirectory
    from neurobot.ownership import RunDirectoryBusy, RunLock
    command = 'maze-eval' if args.evaluate_only else 'maze'
    try:
        given = parse_launch_arguments(args.arguments)
        # the options are shorthands of the launch arguments maze:= and max_moves:=
        if getattr(args, 'maze', None) is not None:
            given['maze'] = args.maze
        if getattr(args, 'max_moves', None) is not None:
            given['max_moves'] = str(args.max_moves)
        if args.episodes < 0:
            raise ValueError(f'--episodes must be >= 0, got {args.episodes}')
        run = RunDirectory(args.run_dir)
        lock = RunLock(run.path)
    except (ValueError, RunDirectoryBusy) as error:
        print(f'neurobot {command}: {error}', file=sys.stderr)
        return 2
    except OSError as error:
        print(f'neurobot {command}: run directory {args.run_dir}: {error.strerror or error}',
              file=sys.stderr)
        return 2
    try:
        return _maze(args, run, given, command)
    finally:
        lock.release()


def _maze(args, run, given, command) -> int:
    import time

    from tqdm import tqdm

    from neurobot.maze_plots import plot_run
    from neurobot.maze_results import summarize_evaluation
    from neurobot.world.maze import Maze
    try:
        run.logs.mkdir(parents=True, exist_ok=True)
        if args.evaluate_only:
            if not run.checkpoint.exists():
                raise ValueError(f'{run.checkpoint}: no checkpoint to evaluate (train first: '
                                 f'neurobot maze --run-dir {args.run_dir})')
            # evaluate with what the run was trained with (maze, brain, ...) unless told otherwise
            trained = {k: v for k, v in run.load_arguments().items()
                       if k not in ('mode', 'resume', 'episodes', 'run_dir')}
            given = {**trained, **given}
        given.update(run_dir=str(run.path.resolve()), seed=str(args.seed),
                     episodes=str(args.episodes))
        bringup.maze_nodes(given)  # every argument checked before anything is written
        maze_file = given.get('maze', bringup.default_path('config', 'mazes', 'default.yaml'))
        maze_model = Maze.from_yaml(maze_file)
    except ValueError as error:
        print(f'neurobot {command}: {error}', file=sys.stderr)
        return 2
    except OSError as error:
        print(f'neurobot {command}: {error.filename or run.path}: {error.strerror or error}',
              file=sys.stderr)
        return 2
    configure_local_dds()
    log_path = run.logs / 'launch.log'
    if not args.evaluate_only:
        done_before = len(run.read_episodes()) if bringup.as_bool(given.get('resume', 'false')) \
            else 0
        if not bringup.as_bool(given.get('resume', 'false')):
            for stale in (run.episodes_csv, run.trajectories, run.checkpoint):
                if stale.exists():
                    stale.unlink()

        def progress(done):
            bar = tqdm(total=args.episodes, initial=done_before, unit='episode',
                       desc='training')
            seen = done_before
            while not done.is_set():
                rows = run.read_episodes()
                if len(rows) > seen:
                    bar.update(len(rows) - seen)
                    seen = len(rows)
                    recent = rows[-10:]
                    goals = [r for r in recent if r['outcome'] == 'goal']
                    ratios = [int(r['moves']) / int(r['shortest_path']) for r in goals]
                    bar.set_postfix(last=rows[-1]['outcome'], goals_of_last_10=len(goals),
                                    moves_per_shortest=(f'{sum(ratios) / len(ratios):.2f}'
                                                        if ratios else '-'))
                time.sleep(0.5)
            bar.close()

        run.save_arguments({k: v for k, v in given.items() if k not in ('mode', 'resume')})
        print(f'training {args.episodes} episodes (nodes log to {log_path})')
        code, reason = _launch_quiet(given, log_path, progress)
        if code != 0:
            with open(log_path, errors='replace') as log:
                last = log.readlines()[-30:]
            print(f'training failed (exit {code}); last lines of {log_path}:', file=sys.stderr)
            print(''.join(last), file=sys.stderr)
            if reason:
                print(f'training stopped: {reason}', file=sys.stderr)
            return code
    print('evaluating the greedy policy from every start cell')
    code, reason = _launch_quiet(dict(given, mode='evaluate'), log_path)
    if code != 0:
        print(f'evaluation failed (exit {code}): {reason or "see the log"}; see {log_path}',
              file=sys.stderr)
        return code
    summary = summarize_evaluation(run.read_evaluation())
    print('\n' + summary.table())
    print(summary.headline())
    for png in plot_run(run.path, maze_model, run_max_moves(given, maze_model)):
        print(f'figure: {png}')
    return 0


def run_max_moves(arguments: dict, maze_model) -> int:
    """The step limit a run used: its max_moves argument, or (0, absent) the maze's."""
    from neurobot.maze_agent import step_limit
    given = int(arguments.get('max_moves', 0) or 0)
    return given if given > 0 else step_limit(maze_model)


def maze_plots(args) -> int:
    from neurobot.maze_plots import plot_run
    from neurobot.world.maze import Maze
    from neurobot.maze_results import RunDirectory
    arguments = RunDirectory(args.run_dir).load_arguments()
    maze_file = args.maze or arguments.get(
        'maze', bringup.default_path('config', 'mazes', 'default.yaml'))
    maze_model = Maze.from_yaml(maze_file)
    for png in plot_run(args.run_dir, maze_model, run_max_moves(arguments, maze_model)):
        print(f'figure: {png}')
    return 0


def env(args) -> int:
    """Print the shell exports of :func:`neurobot.dds.shell_exports`."""
    from neurobot.dds import shell_exports
    print(shell_exports())
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog='neurobot', description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest='command', required=True)
    launch_parser = commands.add_parser(
        'launch', help='start a bring-up (like ros2 launch, without ROS 2 launch tools)')
    launch_parser.add_argument('bringup', choices=sorted(BRINGUPS))
    launch_parser.add_argument('arguments', nargs='*', help='name:=value launch arguments')
    launch_parser.add_argument('--show-args', action='store_true',
                               help='list the launch arguments with defaults and descriptions')
    launch_parser.set_defaults(run=launch)

    maze_parser = commands.add_parser('maze', help='train on the maze, evaluate, plot')
    maze_parser.add_argument('--episodes', type=int, default=100)
    maze_parser.add_argument('--seed', type=int, default=1)
    maze_parser.add_argument('--run-dir', default='results/maze')
    maze_parser.add_argument('--maze', default=None,
                             help='maze YAML (as maze:=FILE; e.g. one written by '
                                  'python -m neurobot.world.maze_generator)')
    maze_parser.add_argument('--max-moves', type=int, default=None,
                             help='moves per episode before a timeout (as max_moves:=N; '
                                  'default: 3x the maze\'s longest shortest path)')
    maze_parser.add_argument(
        'arguments', nargs='*',
        help='more name:=value launch arguments (see launch maze --show-args)')
    maze_parser.set_defaults(run=maze, evaluate_only=False)
    eval_parser = commands.add_parser('maze-eval', help='evaluate a trained run again')
    eval_parser.add_argument('--run-dir', default='results/maze')
    eval_parser.add_argument('--seed', type=int, default=1)
    eval_parser.add_argument('arguments', nargs='*', help='name:=value launch arguments')
    eval_parser.set_defaults(run=maze, evaluate_only=True, episodes=0)
    plots_parser = commands.add_parser('maze-plots', help='draw the figures of a run')
    plots_parser.add_argument('--run-dir', default='results/maze')
    plots_parser.add_argument('--maze', default=None,
                              help='maze YAML (default: the one the run was trained on)')
    plots_parser.set_defaults(run=maze_plots)
    env_parser = commands.add_parser(
        'env', help='print shell exports that make a terminal join the nodes\' DDS: '
                    'eval "$(neurobot env)"')
    env_parser.set_defaults(run=env)
    from neurobot.analysis.commands import add_parsers as add_recording_parsers
    add_recording_parsers(commands, bringup.default_path('config', 'mazes', 'default.yaml'))
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == '__main__':
    sys.exit(main())
