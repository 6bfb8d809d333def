"""The maze experiment as the platform sees it: arguments, defaults, hooks, commands.

Registered in setup.py under the entry-point group ``neurobot.experiments`` as
``maze = experiments.maze.experiment:EXPERIMENT``; ``neurobot launch maze``,
``neurobot run maze``, ``ros2 launch neurobot maze.launch.py`` and the ``neurobot maze``,
``maze-eval`` and ``maze-plots`` commands (:mod:`experiments.maze.cli`) build on it.

The world is the platform's embedded robot world with walls from the maze file; the
brain (:mod:`experiments.maze.brain`) sizes its place cells from the brain argument
``maze_cells``; the transfer function (:mod:`experiments.maze.transfer_function`) runs
the agent and learning rule and writes the run directory.
"""

from neurobot.bringup import Argument, as_bool, default_path
from neurobot.experiment import Experiment
from neurobot.world.maze import Maze

LEARNERS = ('rstdp',)  # how the agent learns: reward-modulated STDP on set_weights


def maze_file(*name) -> str:
    """Path of a maze shipped with the experiment (experiments/maze/mazes/<name>)."""
    return default_path('experiments', 'maze', 'mazes', *name)


ARGUMENTS = (
    Argument('maze', maze_file('default.yaml'), 'Maze description YAML', kind='file'),
    Argument('mode', 'train', 'train: learn for `episodes` episodes; evaluate: greedy '
             'policy from every start cell with the checkpoint of run_dir',
             ('train', 'evaluate')),
    Argument('episodes', '100', 'Training episodes', kind='int', low=0),
    Argument('max_moves', '0', 'Moves per episode before it ends as a timeout (0: follow '
             'the maze, 3x its longest shortest path from a start cell: 33 on the default '
             'maze; 30 reproduces runs from before this argument)', kind='int', low=0,
             high=10**6),
    Argument('resume', 'false', 'Continue training from the checkpoint in run_dir',
             kind='bool'),
    Argument('learner', 'rstdp', 'How the agent learns: rstdp (reward-modulated STDP of '
             'the place->action weights, set over set_weights)', LEARNERS),
)

DEFAULTS = {
    'brain': default_path('experiments', 'maze', 'brain.py'),
    'transfer_functions': default_path('experiments', 'maze', 'transfer_function.py'),
    'run_dir': 'results/maze',
}

# Where the files of the maze once lived (a path a user may still pass) -> where they are.
MOVED_FILES = {
    'brains/maze_brain.py': DEFAULTS['brain'],
    'transfer_functions/maze.py': DEFAULTS['transfer_functions'],
    **{f'config/mazes/{name}.yaml': maze_file(f'{name}.yaml')
       for name in ('default', 'small', 'large')},
}


def maze_cells(path: str) -> int:
    """Number of cells of a maze file (the brain sizes its place cells with it)."""
    maze = Maze.from_yaml(path)
    return maze.n_rows * maze.n_cols


def brain_arguments(values: dict) -> dict:
    """The brain file's arguments: the maze's cell count."""
    return {'maze_cells': maze_cells(values['maze'])}


def tf_parameters(values: dict) -> dict:
    """What the transfer function reads from ``params``.

    On a real robot (use_sim_time false) nothing may crash into a wall and nobody
    teleports the robot: the transfer function takes walls from the maze file and drives
    to start cells.
    """
    parameters = {'maze': values['maze'], 'mode': values['mode'],
                  'episodes': int(values['episodes']), 'max_moves': int(values['max_moves']),
                  'resume': as_bool(values['resume'], 'resume'), 'learner': values['learner']}
    if not as_bool(values['use_sim_time'], 'use_sim_time'):
        parameters.update(walls='map', placement='drive')
    return parameters


def world_parameters(values: dict) -> dict:
    """The embedded world's walls: the maze file."""
    return {'maze': values['maze']}


def _add_commands(commands):
    from experiments.maze.cli import add_commands
    add_commands(commands)


def _run(argv) -> int:
    from experiments.maze.cli import run
    return run(argv)


EXPERIMENT = Experiment(
    name='maze',
    summary='a robot learns to reach the goal cell of a maze (R-STDP on place->action '
            'weights)',
    arguments=ARGUMENTS,
    defaults=DEFAULTS,
    moved_files=MOVED_FILES,
    brain_arguments=brain_arguments,
    tf_parameters=tf_parameters,
    world_parameters=world_parameters,
    add_commands=_add_commands,
    run=_run,
)
