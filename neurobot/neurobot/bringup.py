"""One description of what a neurobot bring-up starts, shared by launch files and CLI.

``launch/*.launch.py`` (for ROS 2's launch tools) and ``neurobot launch`` (for machines
without them) both turn the same :class:`NodeSpec` lists into running nodes, so the
two cannot drift: an argument, a parameter or a remap is written here once.

Pure Python: no ``launch`` or ``rclpy`` import.
"""

from dataclasses import dataclass, field, replace
import math
import os

from neurobot.paths import share_path

TRUE_WORDS = ('true', '1', 'yes', 'on')
FALSE_WORDS = ('false', '0', 'no', 'off')
LOG_LEVELS = ('debug', 'info', 'warn', 'error', 'fatal')


@dataclass(frozen=True)
class Argument:
    """A launch argument: name, default (a string, as launch arguments are) and description.

    Attributes:
        choices: the allowed values (empty: any).
        kind: 'text', 'bool', 'int', 'float', 'file' (an existing file) or 'files'
            (comma-separated existing files); checked by :func:`resolve_arguments`.
        low, high: inclusive bounds of an int or float (None: unbounded).
    """

    name: str
    default: str
    description: str
    choices: tuple = ()
    kind: str = 'text'
    low: float = None
    high: float = None

    def allowed(self) -> str:
        """What the argument accepts, as --show-args prints it ('' for any text)."""
        if self.choices:
            return 'one of: ' + ', '.join(self.choices)
        if self.kind in ('int', 'float'):
            noun = 'a whole number' if self.kind == 'int' else 'a number'
            low, high = (None if b is None else f'{b}' if self.kind == 'int' else f'{b:g}'
                         for b in (self.low, self.high))
            if low is not None and high is not None:
                return f'{noun} within {low}-{high}'
            if low is not None:
                return f'{noun} >= {low}'
            return noun
        return {'bool': 'true or false', 'file': 'an existing file',
                'files': 'existing files, comma-separated'}.get(self.kind, '')

    def check(self, value: str):
        """Raise ValueError (one line, naming the argument) unless ``value`` is allowed."""
        if self.choices and value not in self.choices:
            raise ValueError(f'{self.name} must be one of {self.choices}, got {value!r}')
        if self.kind == 'bool':
            as_bool(value, self.name)
        elif self.kind in ('int', 'float'):
            try:
                number = int(value) if self.kind == 'int' else float(value)
            except ValueError:
                number = None
            if number is None or not math.isfinite(number) \
                    or (self.low is not None and number < self.low) \
                    or (self.high is not None and number > self.high):
                raise ValueError(f'{self.name} must be {self.allowed()}, got {value!r}')
        elif self.kind in ('file', 'files'):
            paths = transfer_function_files(value) if self.kind == 'files' else [value]
            if not paths:
                raise ValueError(f'{self.name} must name {self.allowed()}, got {value!r}')
            for path in paths:
                if not os.path.isfile(path):
                    what = 'no such file' if not os.path.exists(path) else 'not a file'
                    raise ValueError(f'{self.name}: {path}: {what}')


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
        namespace: ROS namespace of the node ('' for none; e.g. 'left' puts it and its
            relative topics and services under /left).
    """

    name: str
    executable: str
    parameters: dict = field(default_factory=dict)
    remappings: list = field(default_factory=list)
    required: bool = True
    package: str = 'neurobot'
    env: dict = field(default_factory=dict)
    namespace: str = ''

    def __post_init__(self):
        self.namespace = str(self.namespace).strip('/')

    @property
    def full_name(self) -> str:
        """'<namespace>/<name>' ('<name>' without a namespace); unique within a bring-up."""
        return f'{self.namespace}/{self.name}' if self.namespace else self.name


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
    Argument('step_ms', '200.0', 'Brain step and lockstep round length, ms'),
    Argument('brain', default_path('brains', 'maze_brain.py'), 'PyNN brain file'),
    Argument('transfer_functions', default_path('transfer_functions', 'maze.py'),
             'Transfer-function file(s), comma-separated; each runs in its own tf_node'),
    Argument('maze', default_path('config', 'mazes', 'default.yaml'), 'Maze description YAML'),
    Argument('headless', 'true', 'No GUI (Gazebo client, rviz)'),
    Argument('use_sim_time', 'true', 'Simulated time: world, brain and transfer functions '
             'advance in lockstep rounds; false: the brain steps on wall-clock time against '
             'a real robot (no world node)'),
    Argument('log_level', 'info', 'Log level of every node', LOG_LEVELS),
    Argument('record', 'false', 'Record the run\'s topics to <run_dir>/recording.mcap '
             '(mcap_recorder; an existing file is kept and recording_<n>.mcap written)'),
    Argument('record_topics', '', 'Topics recorded with record:=true, comma-separated '
             '(empty: every topic)'),
    Argument('live_view', 'false', 'Start live_view: a Foxglove WebSocket server on '
             '127.0.0.1:<live_view_port> streaming the ROS topics (connect Foxglove to '
             'ws://localhost:<live_view_port>)'),
    Argument('live_view_port', '8765', 'TCP port of the live view (1-65535)'),
    Argument('seed', '1', 'Seed of the world, the brain and the experiment'),
    Argument('lockstep_timeout_s', '10.0', 'Seconds a round may wait for a participant '
             'before the run fails'),
    Argument('resolution_ms', '1.0', 'NEST resolution of the brain, ms'),
    Argument('record_weights', '', 'Projections whose weights brain_node records to '
             '<run_dir>/weights.nbw, comma-separated (empty: none)'),
    Argument('record_weights_every_ms', '200', 'Weight recording period, ms; a multiple '
             'of step_ms'),
    Argument('record_weights_on_error', 'continue', 'When the weight file cannot be '
             'written: continue the run without it, or stop', ('continue', 'stop')),
    Argument('run_dir', 'results/maze', 'Directory of the run: episodes.csv, checkpoint.npz, '
             'evaluation.csv, logs'),
    Argument('mode', 'train', 'train: learn for `episodes` episodes; evaluate: greedy '
             'policy from every start cell with the checkpoint of run_dir',
             ('train', 'evaluate')),
    Argument('episodes', '100', 'Training episodes'),
    Argument('max_moves', '0', 'Moves per episode before it ends as a timeout (0: follow '
             'the maze, 3x its longest shortest path from a start cell: 33 on the default '
             'maze; 30 reproduces runs from before this argument)'),
    Argument('resume', 'false', 'Continue training from the checkpoint in run_dir'),
    Argument('robot', default_path('config', 'robots', 'generic_omni.yaml'),
             'Robot file used with use_sim_time:=false: topic remaps of the transfer '
             'functions, where the maze lies in the odometry frame, top speed'),
    Argument('input_timeout_s', '1.0', 'Wall-clock seconds after which a required input of a '
             'transfer function (odom) is stale without use_sim_time: the robot gets stop '
             'commands until it is fresh again'),
    Argument('max_consecutive_failures', '5', 'A transfer function failing this often in a '
             'row ends the run with its last error (0: never)'),
    Argument('monitoring', 'true', 'Start maze_markers (rviz: maze/markers) and spike_raster '
             '(rqt_image_view: brain/raster)'),
)


# Kinds and ranges of the maze arguments: name -> (kind, low, high). Checked before
# anything starts (resolve_arguments), listed by `neurobot launch maze --show-args`.
MAZE_RANGES = {
    'step_ms': ('float', 1.0, 1000.0),  # ms
    'brain': ('file', None, None),
    'transfer_functions': ('files', None, None),
    'maze': ('file', None, None),
    'headless': ('bool', None, None),
    'use_sim_time': ('bool', None, None),
    'record': ('bool', None, None),
    'live_view': ('bool', None, None),
    'live_view_port': ('int', 1, 65535),
    'seed': ('int', 1, 2**31 - 1),  # NEST refuses seed 0
    'lockstep_timeout_s': ('float', 0.1, 3600.0),  # s
    'resolution_ms': ('float', 0.001, 10.0),  # ms
    'record_weights_every_ms': ('float', 1.0, None),  # ms
    'episodes': ('int', 0, None),
    'max_moves': ('int', 0, 10**6),
    'resume': ('bool', None, None),
    'input_timeout_s': ('float', 0.01, 3600.0),  # s
    'max_consecutive_failures': ('int', 0, 10**6),
    'monitoring': ('bool', None, None),
}
MAZE_ARGUMENTS = tuple(
    replace(a, **dict(zip(('kind', 'low', 'high'), MAZE_RANGES[a.name])))
    if a.name in MAZE_RANGES else a for a in MAZE_ARGUMENTS)


def resolve_arguments(arguments, given: dict) -> dict:
    """Fill defaults, check names, choices, kinds and ranges.

    Raises:
        ValueError: an unknown argument or a value it does not allow (one line).
    """
    known = {a.name: a for a in arguments}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise ValueError(f'unknown arguments {unknown}; expected some of {sorted(known)}')
    values = {}
    for argument in arguments:
        value = str(given.get(argument.name, argument.default))
        argument.check(value)
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
    parameters.update(weight_recording_parameters(values))
    return [NodeSpec('brain', 'brain_node', parameters=parameters,
                     env={'NEUROBOT_MAZE_CELLS': str(maze_cells(values['maze']))})]


def weight_recording_parameters(values: dict) -> dict:
    """brain_node parameters recording the ``record_weights`` projections (none: {})."""
    names = [n.strip() for n in str(values['record_weights']).split(',') if n.strip()]
    if not names:
        return {}
    return {
        'record_weights': names,
        'record_weights_every_ms': _as_float(values['record_weights_every_ms'],
                                             'record_weights_every_ms'),
        'record_weights_path': os.path.join(values['run_dir'], 'weights.nbw'),
        'record_weights_on_error': values['record_weights_on_error'],
    }


def maze_cells(path: str) -> int:
    """Number of cells of a maze file (the maze brain sizes its place cells with it)."""
    from neurobot.world.maze import Maze
    maze = Maze.from_yaml(path)
    return maze.n_rows * maze.n_cols


ROBOT_REMAPPABLE = ('cmd_vel', 'odom', 'scan')


def robot_settings(path: str) -> tuple:
    """Read a robot file (config/robots/*.yaml): (remappings, tf_node parameters).

    On a real robot nothing may crash into a wall and nobody teleports the robot: the
    maze transfer function takes walls from the maze file and drives to start cells.

    Raises:
        ValueError: a missing or malformed file, saying what was expected.
    """
    import yaml
    try:
        with open(path) as handle:
            data = yaml.safe_load(handle) or {}
    except OSError as error:
        raise ValueError(f'robot file {path}: {error.strerror or error}') from None
    except yaml.YAMLError as error:
        raise ValueError(f'robot file {path} is not valid YAML: {error}') from None
    if not isinstance(data, dict):
        raise ValueError(f'robot file {path}: expected a mapping with remappings, '
                         f'maze_origin_in_odom and speed_mps')
    remaps = data.get('remappings') or {}
    if not isinstance(remaps, dict) or not set(remaps) <= set(ROBOT_REMAPPABLE) \
            or not all(isinstance(v, str) and v for v in remaps.values()):
        raise ValueError(f'robot file {path}: remappings must map some of '
                         f'{list(ROBOT_REMAPPABLE)} to topic names, got {remaps!r}')
    origin = data.get('maze_origin_in_odom', [0.0, 0.0, 0.0])
    if not (isinstance(origin, list) and len(origin) == 3
            and all(isinstance(v, (int, float)) for v in origin)):
        raise ValueError(f'robot file {path}: maze_origin_in_odom must be [x_m, y_m, yaw_rad], '
                         f'got {origin!r}')
    speed = data.get('speed_mps', 0.3)
    if not isinstance(speed, (int, float)) or not 0.0 < speed <= 5.0:
        raise ValueError(f'robot file {path}: speed_mps must be in (0, 5], got {speed!r}')
    parameters = {'walls': 'map', 'placement': 'drive', 'speed_mps': float(speed),
                  'maze_origin_in_odom': [float(v) for v in origin]}
    return sorted(remaps.items()), parameters


def transfer_function_nodes(values: dict) -> list:
    """One tf_node per transfer-function file."""
    sim_time = as_bool(values['use_sim_time'], 'use_sim_time')
    lockstep = sim_time and values['world'] == 'embedded'
    remappings, robot_parameters = [], {}
    if not sim_time:
        remappings, robot_parameters = robot_settings(values['robot'])
    nodes = []
    for index, path in enumerate(transfer_function_files(values['transfer_functions'])):
        name = tf_node_name(index)
        parameters = {'transfer_functions': [path],
                      'use_sim_time': as_bool(values['use_sim_time'], 'use_sim_time'),
                      'step_ms': _as_float(values['step_ms'], 'step_ms'),
                      'maze': values['maze'], 'seed': _as_int(values['seed'], 'seed'),
                      'run_dir': values['run_dir'], 'mode': values['mode'],
                      'episodes': _as_int(values['episodes'], 'episodes'),
                      'max_moves': _as_int(values['max_moves'], 'max_moves'),
                      'resume': as_bool(values['resume'], 'resume'),
                      'input_timeout_s': _as_float(values['input_timeout_s'], 'input_timeout_s'),
                      'max_consecutive_failures': _as_int(values['max_consecutive_failures'],
                                                          'max_consecutive_failures')}
        parameters.update(robot_parameters)
        if lockstep:
            parameters.update(_lockstep_parameters(values, name))
        nodes.append(NodeSpec(name, 'tf_node', parameters=parameters,
                              remappings=list(remappings)))
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
        'lockstep_observers': lockstep_observers(values) or [''],
    }


def lockstep_observers(values: dict) -> list:
    """Nodes that take part in lockstep round 0 only (neurobot.round_zero).

    With ``record``: the recorder and the raster it records, so the recording holds the
    run's first messages.
    """
    lockstep = (as_bool(values['use_sim_time'], 'use_sim_time')
                and values['world'] == 'embedded')
    if not lockstep or not as_bool(values['record'], 'record'):
        return []
    return ['mcap_recorder'] + (['spike_raster'] if as_bool(values['monitoring'], 'monitoring')
                                else [])


def _observer_parameters(values: dict, name: str) -> dict:
    return _lockstep_parameters(values, name) if name in lockstep_observers(values) else {}


def monitor_nodes(values: dict) -> list:
    """The timing monitor (not required: the run goes on without it).

    It reports lockstep round timing, or brain-step timing and overruns when the brain
    runs on wall-clock time.
    """
    if not as_bool(values['use_sim_time'], 'use_sim_time'):
        return [NodeSpec('brain_monitor', 'lockstep_monitor', required=False,
                         parameters={'mode': 'brain_step'})]
    if values['world'] != 'embedded':
        return []
    parameters = _lockstep_parameters(values, 'monitor')
    return [NodeSpec('lockstep_monitor', 'lockstep_monitor', required=False, parameters={
        'lockstep_simulation': parameters['lockstep_simulation'],
        'lockstep_transfer': parameters['lockstep_transfer']})]


LIDAR_HEIGHT_M = 0.2  # m, laser_link above base_link (urdf/omni_robot.urdf, RobotParams)


def _robot_topics(values: dict) -> tuple:
    """(odom topic, scan topic, maze_origin_in_odom) the robot's odometry arrives with."""
    if as_bool(values['use_sim_time'], 'use_sim_time'):
        return 'odom', 'scan', [0.0, 0.0, 0.0]  # simulated odom coincides with the maze frame
    remappings, parameters = robot_settings(values['robot'])
    remaps = dict(remappings)
    return (remaps.get('odom', 'odom'), remaps.get('scan', 'scan'),
            parameters['maze_origin_in_odom'])


def monitoring_nodes(values: dict, tf: bool = False) -> list:
    """maze_markers and spike_raster (not required), when ``monitoring`` is true.

    Args:
        values: resolved launch arguments.
        tf: tf2_ros is installed (full ROS 2 installs; the launch file decides): the
            markers node then broadcasts odom -> base_link in simulation (a real robot's
            driver does that itself).
    """
    if not as_bool(values['monitoring'], 'monitoring'):
        return []
    sim_time = as_bool(values['use_sim_time'], 'use_sim_time')
    odom, scan, origin = _robot_topics(values)
    embedded = sim_time and values['world'] == 'embedded'
    return [
        NodeSpec('maze_markers', 'maze_markers', required=False, parameters={
            'maze': values['maze'],
            # the embedded world's exact pose in the maze frame; elsewhere odometry
            'pose_topic': 'ground_truth/pose' if embedded else '',
            # odometry only where it is the pose, or the source of odom -> base_link
            'odom_topic': odom if not embedded or tf else '', 'scan_topic': scan,
            'maze_origin_in_odom': origin,
            'publish_tf': bool(tf and sim_time)}),
        NodeSpec('spike_raster', 'spike_raster', required=False,
                 parameters=_observer_parameters(values, 'spike_raster')),
    ]


def static_transforms(values: dict) -> list:
    """Static tf for rviz on full installs: (parent, child, x_m, y_m, z_m, yaw_rad).

    map is the maze frame. In simulation odom coincides with it and laser_link sits
    LIDAR_HEIGHT_M above base_link; on a real robot odom lies where the robot file says
    and the robot's own description provides base_link -> laser_link.
    """
    from neurobot.monitoring.markers import maze_in_odom_inverse
    if not as_bool(values['monitoring'], 'monitoring'):
        return []
    if as_bool(values['use_sim_time'], 'use_sim_time'):
        return [('map', 'odom', 0.0, 0.0, 0.0, 0.0),
                ('base_link', 'laser_link', 0.0, 0.0, LIDAR_HEIGHT_M, 0.0)]
    x, y, yaw = maze_in_odom_inverse(_robot_topics(values)[2])
    return [('map', 'odom', x, y, 0.0, yaw)]


def _topic_list(value: str) -> list:
    return [t.strip() for t in str(value).split(',') if t.strip()]


def recording_nodes(values: dict) -> list:
    """The mcap_recorder writing <run_dir>/recording.mcap when ``record`` is true.

    Not required: a recording error is logged and the run goes on.
    """
    if not as_bool(values['record'], 'record'):
        return []
    return [NodeSpec('mcap_recorder', 'mcap_recorder', required=False, parameters={
        'path': os.path.join(values['run_dir'], 'recording.mcap'),
        # [''] = every topic ([] would leave the parameter's type undetermined)
        'topics': _topic_list(values['record_topics']) or [''],
        'on_error': 'continue',
        **_observer_parameters(values, 'mcap_recorder'),
    })]


def live_view_nodes(values: dict) -> list:
    """live_view (Foxglove WebSocket server on loopback) when ``live_view`` is true."""
    if not as_bool(values['live_view'], 'live_view'):
        return []
    port = _as_int(values['live_view_port'], 'live_view_port')
    if not 1 <= port <= 65535:
        raise ValueError(f'live_view_port must be within 1-65535, got {port}')
    return [NodeSpec('live_view', 'live_view', required=False, parameters={
        'host': '127.0.0.1', 'port': port})]


def maze_nodes(given: dict) -> list:
    """Every node of the maze bring-up for launch arguments ``given`` (strings)."""
    values = resolve_arguments(MAZE_ARGUMENTS, given)
    _as_float(values['step_ms'], 'step_ms')
    return (world_nodes(values) + brain_nodes(values) + transfer_function_nodes(values)
            + monitor_nodes(values) + monitoring_nodes(values) + recording_nodes(values)
            + live_view_nodes(values))
