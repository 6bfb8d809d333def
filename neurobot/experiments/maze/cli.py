"""The maze experiment's commands: ``neurobot maze``, ``maze-eval``, ``maze-plots``, ``run maze``.

    neurobot maze [--episodes 100] [--seed 1] [--run-dir results/maze] [--maze FILE]
                  [--max-moves N] [name:=value ...]
    neurobot run maze ...        # the same as neurobot maze ...
    neurobot maze-eval [--run-dir results/maze]
    neurobot maze-plots [--run-dir results/maze]

``neurobot maze`` trains (every node in its own process, output in <run-dir>/logs),
shows a progress bar over episodes, evaluates the greedy policy from every start cell
and draws the figures. The name:=value arguments are the launch arguments of
``neurobot launch maze --show-args``.
"""

import argparse
import sys

from experiments.maze.experiment import EXPERIMENT
from experiments.maze.experiment import maze_file as default_maze_file
from neurobot import bringup
from neurobot.cli import launch_quiet, parse_launch_arguments
from neurobot.dds import configure_local_dds


def _launch_quiet(given: dict, log_path, progress=None) -> tuple:
    """Run the maze bring-up, node output in ``log_path`` (see neurobot.cli.launch_quiet)."""
    specs = bringup.nodes(EXPERIMENT, given)
    values = bringup.resolve(EXPERIMENT, given)
    return launch_quiet(specs, values['log_level'], log_path, progress)


def maze(args) -> int:
    """Train, evaluate and plot (see the module docstring); one line for a bad argument."""
    from experiments.maze.results import RunDirectory
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

    from experiments.maze.plots import plot_run
    from experiments.maze.results import summarize_evaluation
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
            if not trained and not {'maze', 'learner'} <= set(given):
                # a run made by `neurobot launch maze` keeps no arguments.json: the
                # defaults would evaluate another maze or learner with its checkpoint
                raise ValueError(f'{run.path} has no arguments.json (made by `neurobot '
                                 f'launch maze`?): say what it was trained with, e.g. '
                                 f'maze:=FILE learner:=spiking')
            if trained and 'learner' not in trained:  # trained before the spiking learner
                trained['learner'] = 'rstdp'
            given = {**trained, **given}
        given.update(run_dir=str(run.path.resolve()), seed=str(args.seed),
                     episodes=str(args.episodes))
        values = bringup.resolve(EXPERIMENT, given)  # every argument checked before
        bringup.nodes(EXPERIMENT, given)  # anything is written
        # kept with the run: its evaluation and figures use the learner it trained with
        given['learner'] = values['learner']
        maze_file = values['maze']
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
    from experiments.maze.agent import step_limit
    given = int(arguments.get('max_moves', 0) or 0)
    return given if given > 0 else step_limit(maze_model)


def maze_plots(args) -> int:
    from experiments.maze.plots import plot_run
    from neurobot.world.maze import Maze
    from experiments.maze.results import RunDirectory
    run = RunDirectory(args.run_dir)
    arguments = run.load_arguments()
    maze_file = args.maze or arguments.get('maze', default_maze_file('default.yaml'))
    maze_model = Maze.from_yaml(maze_file)
    # a run made by `neurobot launch maze` has no arguments.json: the default maze is a
    # guess, and drawing another maze's run fails deep in the figures (or draws nonsense)
    starts = {(int(row['start_row']), int(row['start_col'])) for row in run.read_episodes()}
    foreign = sorted(starts - {tuple(cell) for cell in maze_model.start_cells})
    if foreign:
        print(f'maze-plots: the run in {args.run_dir} started from {foreign}, which are not '
              f'start cells of {maze_file}; pass the maze it was trained on with --maze FILE',
              file=sys.stderr)
        return 2
    for png in plot_run(args.run_dir, maze_model, run_max_moves(arguments, maze_model)):
        print(f'figure: {png}')
    return 0



def add_commands(commands):
    """Add ``maze``, ``maze-eval`` and ``maze-plots`` to ``neurobot``'s subcommands."""
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


def run(argv) -> int:
    """``neurobot run maze [options] [name:=value]``: as ``neurobot maze``."""
    parser = argparse.ArgumentParser(prog='neurobot run',  # usage: neurobot run maze ...
                                     description='train on the maze, evaluate, plot')
    commands = parser.add_subparsers(dest='command', required=True)
    add_commands(commands)
    args = parser.parse_args(['maze', *argv])
    return args.run(args)
