"""One description of what a neurobot bring-up starts, shared by launch files and CLI.

``launch/*.launch.py`` (for ROS 2's launch tools) and ``neurobot launch`` (for machines
without them) both turn the same :class:`NodeSpec` lists into running nodes, so the
two cannot drift: an argument, a parameter or a remap is written here once.

Pure Python: no ``launch`` or ``rclpy`` import.
"""

from dataclasses import dataclass, field

from neurobot.paths import share_path

TRUE_WORDS = ('true', '1', 'yes', 'on')
FALSE_WORDS = ('false', '0', 'no', 'off')
LOG_LEVELS = ('debug', 'info', 'warn', 'error', 'fatal')


@dataclass(frozen=True)
class Argument:
    """A launch argument: name, default (a string, as launch arguments are) and description."""

    name: str
    default: str
    description: str
    choices: tuple = ()


@dataclass
class NodeSpec:
    """One node to start.

    Attributes:
        name: ROS node name.
        executable: console script of the neurobot package.
        parameters: ROS parameters.
        remappings: (from, to) topic or service remaps.
        required: the whole bring-up stops when this node exits.
        package: the ROS package of the executable.
        env: extra environment variables of the process.
    """

    name: str
    executable: str
    parameters: dict = field(default_factory=dict)
    remappings: list = field(default_factory=list)
    required: bool = True
    package: str = 'neurobot'
    env: dict = field(default_factory=dict)


def as_bool(value, name='value') -> bool:
    """Parse a launch-style boolean ('true'/'false', ...)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(f'{name} must be true or false, got {value!r}')


def _as_float(value, name) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f'{name} must be a number, got {value!r}') from None


def _as_int(value, name) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(f'{name} must be a whole number, got {value!r}') from None


def default_path(*parts) -> str:
    return str(share_path(*parts))


# Arguments of the closed loop (launch/maze.launch.py and `neurobot launch maze`).
MAZE_ARGUMENTS = (
    Argument('world', 'embedded', 'Which world simulates the robot: the embedded MuJoCo '
             'world (pip only) or Gazebo (gz-sim via ros_gz)', ('embedded', 'gazebo')),
    Argument('step_ms', '200.0', 'Brain step and lockstep round length, ms (1-1000)'),
    Argument('brain', default_path('brains', 'maze_brain.py'), 'PyNN brain file'),
    Argument('transfer_functions', default_path('transfer_functions', 'maze.py'),
             'Transfer-function file(s), comma-separated; each runs in its own tf_node'),
    Argument('maze', default_path('config', 'mazes', 'default.yaml'), 'Maze description YAML'),
    Argument('headless', 'true', 'No GUI (Gazebo client, rviz)'),
    Argument('use_sim_time', 'true', 'Simulated time: world, brain and transfer functions '
             'advance in lockstep rounds; false: the brain steps on wall-clock time against '
             'a real robot (no world node)'),
    Argument('log_level', 'info', 'Log level of every node', LOG_LEVELS),
    Argument('record', 'false', 'Record the run to an MCAP file'),
    Argument('seed', '1', 'Seed of the world, the brain and the experiment'),
    Argument('lockstep_timeout_s', '10.0', 'Seconds a round may wait for a participant '
             'before the run fails'),
    Argument('resolution_ms', '1.0', 'NEST resolution of the brain, ms'),
    Argument('run_dir', 'results/maze', 'Directory of the run: episodes.csv, checkpoint.npz, '
             'evaluation.csv, logs'),
    Argument('mode', 'train', 'train: learn for `episodes` episodes; evaluate: greedy '
             'policy from every start cell with the checkpoint of run_dir',
             ('train', 'evaluate')),
    Argument('episodes', '100', 'Training episodes'),
    Argument('resume', 'false', 'Continue training from the checkpoint in run_dir'),
)


def resolve_arguments(arguments, given: dict) -> dict:
    """Fill defaults, check names and choices.

    Raises:
        ValueError: an unknown argument or a value outside its choices.
    """
    known = {a.name: a for a in arguments}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise ValueError(f'unknown arguments {unknown}; expected some of {sorted(known)}')
    values = {}
    for argument in arguments:
        value = str(given.get(argument.name, argument.default))
        if argument.choices and value not in argument.choices:
            raise ValueError(f'{argument.name} must be one of {argument.choices}, got {value!r}')
        values[argument.name] = value
    return values


def transfer_function_files(value: str) -> list:
    return [path.strip() for path in str(value).split(',') if path.strip()]


def tf_node_name(index: int) -> str:
    return 'tf_node' if index == 0 else f'tf_node_{index + 1}'


def world_nodes(values: dict) -> list:
    """The world: the embedded world_node, or nothing here for Gazebo (see world.launch.py)."""
    if values['world'] != 'embedded' or not as_bool(values['use_sim_time'], 'use_sim_time'):
        return []
    return [NodeSpec('world', 'world_node', parameters={
        'maze': values['maze'],
        'seed': _as_int(values['seed'], 'seed'),
        'stepped': True,
        'step_ms': _as_float(values['step_ms'], 'step_ms'),
        'use_sim_time': False,  # the world *is* the clock
        **_lockstep_parameters(values, 'world'),
    })]


def brain_nodes(values: dict) -> list:
    """brain_node on the brain file, in lockstep with simulated time or on wall-clock time."""
    sim_time = as_bool(values['use_sim_time'], 'use_sim_time')
    parameters = {
        'brain': values['brain'],
        'step_ms': _as_float(values['step_ms'], 'step_ms'),
        'resolution_ms': _as_float(values['resolution_ms'], 'resolution_ms'),
        'seed': _as_int(values['seed'], 'seed'),
        'use_sim_time': sim_time,
    }
    if sim_time and values['world'] == 'embedded':
        parameters.update(_lockstep_parameters(values, 'brain'))
    return [NodeSpec('brain', 'brain_node', parameters=parameters,
                     env={'NEUROBOT_MAZE_CELLS': str(maze_cells(values['maze']))})]


def maze_cells(path: str) -> int:
    """Number of cells of a maze file (the maze brain sizes its place cells with it)."""
    from neurobot.world.maze import Maze
    maze = Maze.from_yaml(path)
    return maze.n_rows * maze.n_cols


def transfer_function_nodes(values: dict) -> list:
    """One tf_node per transfer-function file."""
    lockstep = as_bool(values['use_sim_time'], 'use_sim_time') and values['world'] == 'embedded'
    nodes = []
    for index, path in enumerate(transfer_function_files(values['transfer_functions'])):
        name = tf_node_name(index)
        parameters = {'transfer_functions': [path],
                      'use_sim_time': as_bool(values['use_sim_time'], 'use_sim_time'),
                      'step_ms': _as_float(values['step_ms'], 'step_ms'),
                      'maze': values['maze'], 'seed': _as_int(values['seed'], 'seed'),
                      'run_dir': values['run_dir'], 'mode': values['mode'],
                      'episodes': _as_int(values['episodes'], 'episodes'),
                      'resume': as_bool(values['resume'], 'resume')}
        if lockstep:
            parameters.update(_lockstep_parameters(values, name))
        nodes.append(NodeSpec(name, 'tf_node', parameters=parameters))
    return nodes


def _lockstep_parameters(values: dict, name: str) -> dict:
    tf_names = [tf_node_name(i)
                for i in range(len(transfer_function_files(values['transfer_functions'])))]
    return {
        'lockstep': True,
        'lockstep_name': name,
        'lockstep_simulation': ['world', 'brain'],
        'lockstep_transfer': tf_names or [''],
        'lockstep_timeout_s': _as_float(values['lockstep_timeout_s'], 'lockstep_timeout_s'),
    }


def monitor_nodes(values: dict) -> list:
    """The lockstep round-timing monitor (not required: the run goes on without it)."""
    if not (as_bool(values['use_sim_time'], 'use_sim_time') and values['world'] == 'embedded'):
        return []
    parameters = _lockstep_parameters(values, 'monitor')
    return [NodeSpec('lockstep_monitor', 'lockstep_monitor', required=False, parameters={
        'lockstep_simulation': parameters['lockstep_simulation'],
        'lockstep_transfer': parameters['lockstep_transfer']})]


def maze_nodes(given: dict) -> list:
    """Every node of the maze bring-up for launch arguments ``given`` (strings)."""
    values = resolve_arguments(MAZE_ARGUMENTS, given)
    _as_float(values['step_ms'], 'step_ms')
    if as_bool(values['record'], 'record'):
        # say so rather than run without the recording the user asked for
        raise ValueError('record:=true: MCAP recording is not available yet')
    return (world_nodes(values) + brain_nodes(values) + transfer_function_nodes(values)
            + monitor_nodes(values))
