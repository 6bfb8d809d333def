"""The maze experiment as the platform sees it: arguments, defaults, hooks, commands.

Registered in setup.py under the entry-point group ``neurobot.experiments`` as
``maze = experiments.maze.experiment:EXPERIMENT``; ``neurobot launch maze``,
``neurobot run maze``, ``ros2 launch neurobot maze.launch.py`` and the ``neurobot maze``,
``maze-eval`` and ``maze-plots`` commands (:mod:`experiments.maze.cli`) build on it.

The world is the platform's embedded robot world with walls from the maze file. Two
learners (argument ``learner``), each with its brain, transfer function and step:

- ``spiking``: the brain learns by itself
  (:mod:`experiments.maze.spiking.brain`, a spiking actor-critic with dopamine-modulated
  STDP); its transfer function (:mod:`experiments.maze.spiking.transfer_function`) runs
  the offline learner's episodes over ROS and writes no weight; step_ms 50 (the brain's
  phase);
- ``rstdp`` (the default, :data:`DEFAULT_LEARNER`): the numpy R-STDP agent
  (:mod:`experiments.maze.brain`, :mod:`experiments.maze.transfer_function`), weights
  computed in Python and written with set_weights; step_ms 200, as before the spiking
  learner existed.

``brain``, ``transfer_functions`` and ``step_ms`` follow the learner unless given
(:func:`given_defaults`). Both brains size their place cells from the brain argument
``maze_cells``.
"""

import json

from neurobot import bringup
from experiments.maze.spiking.projections import PLASTIC
from neurobot.bringup import Argument, as_bool, default_path
from neurobot.experiment import Experiment
from neurobot.world.maze import Maze

LEARNERS = ('spiking', 'rstdp')  # how the agent learns (see the module docstring)


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
    Argument('learner', 'rstdp', 'How the agent learns: spiking (a spiking actor-critic '
             'whose dopamine-modulated STDP in NEST changes the weights; brain '
             'experiments/maze/spiking/brain.py, step_ms 50) or rstdp (numpy R-STDP, weights '
             'written with set_weights; brain experiments/maze/brain.py, step_ms 200). brain, '
             'transfer_functions and step_ms follow the learner unless given', LEARNERS),
)

# Brain, transfer function and step of each learner.
LEARNER_DEFAULTS = {
    'spiking': {'brain': default_path('experiments', 'maze', 'spiking', 'brain.py'),
                'transfer_functions': default_path('experiments', 'maze', 'spiking',
                                                   'transfer_function.py'),
                'step_ms': '50.0'},  # ms, the spiking brain's PHASE_MS: one phase a round
    'rstdp': {'brain': default_path('experiments', 'maze', 'brain.py'),
              'transfer_functions': default_path('experiments', 'maze',
                                                 'transfer_function.py'),
              'step_ms': '200.0'},  # ms, the platform's default the rstdp runs used
}

# The default learner stays the one that learns the default maze: the spiking learner
# does not yet (docs/maze_spiking.md, "Measured"); learner:=spiking runs it.
DEFAULT_LEARNER = 'rstdp'
DEFAULTS = {**LEARNER_DEFAULTS[DEFAULT_LEARNER], 'run_dir': 'results/maze'}

# Greedy evaluation of the spiking learner: brain_node starts with the rules' amplitudes
# at 0 (synapse_properties), so no eligibility builds and no weight can move.
FROZEN_RULES = {projection: {'A_plus': 0.0, 'A_minus': 0.0} for projection in PLASTIC}


def given_defaults(given: dict) -> dict:
    """Brain, transfer function and step of the learner ``given`` names (or the default)."""
    return dict(LEARNER_DEFAULTS.get(given.get('learner', DEFAULT_LEARNER), {}))

# Where the files of the maze once lived (a path a user may still pass) -> where they are.
MOVED_FILES = {
    'brains/maze_brain.py': LEARNER_DEFAULTS['rstdp']['brain'],
    'transfer_functions/maze.py': LEARNER_DEFAULTS['rstdp']['transfer_functions'],
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
                  'resume': as_bool(values['resume'], 'resume'), 'learner': values['learner'],
                  'brain': values['brain']}
    if not as_bool(values['use_sim_time'], 'use_sim_time'):
        parameters.update(walls='map', placement='drive')
    return parameters


def world_parameters(values: dict) -> dict:
    """The embedded world's walls: the maze file."""
    return {'maze': values['maze']}


def brain_nodes(values: dict) -> list:
    """One brain_node; greedy evaluation of the spiking learner with its rules frozen."""
    spec = bringup.brain_node(values, brain_args=brain_arguments(values))
    if values['learner'] == 'spiking' and values['mode'] == 'evaluate':
        spec.parameters['synapse_properties'] = json.dumps(FROZEN_RULES, sort_keys=True)
    return [spec]


def _add_commands(commands):
    from experiments.maze.cli import add_commands
    add_commands(commands)


def _run(argv) -> int:
    from experiments.maze.cli import run
    return run(argv)


EXPERIMENT = Experiment(
    name='maze',
    summary='a robot learns to reach the goal cell of a maze (a spiking actor-critic '
            'learning in NEST, or numpy R-STDP)',
    arguments=ARGUMENTS,
    defaults=DEFAULTS,
    moved_files=MOVED_FILES,
    given_defaults=given_defaults,
    brain_nodes=brain_nodes,
    brain_arguments=brain_arguments,
    tf_parameters=tf_parameters,
    world_parameters=world_parameters,
    add_commands=_add_commands,
    run=_run,
)
