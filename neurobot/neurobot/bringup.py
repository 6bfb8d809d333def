"""One description of what a neurobot bring-up starts, shared by launch files and CLI.

``<experiment>.launch.py`` (for ROS 2's launch tools), ``neurobot launch <experiment>``
and ``neurobot run <experiment>`` (for machines without them) all turn the same
:class:`NodeSpec` lists into running nodes, so they cannot drift: an argument, a
parameter or a remap is written here once.

:func:`nodes` builds the nodes of any experiment (:mod:`neurobot.experiment`) from the
platform's arguments (:data:`PLATFORM_ARGUMENTS`) and the experiment's own; the platform
names no experiment.

Pure Python: no ``launch`` or ``rclpy`` import.
"""

from dataclasses import dataclass, field, replace
import json
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
            (comma-separated existing files, maybe none); checked by
            :func:`resolve_arguments`.
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
                'files': 'existing files, comma-separated (or none)'}.get(self.kind, '')

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
            if not paths and self.kind == 'file':  # 'files' may name none
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
    """A path below the share directory, as a string (a launch argument's default)."""
    return str(share_path(*parts))


# The platform's launch arguments: every experiment has them, with these defaults unless
# its Experiment.defaults says otherwise. No experiment's own argument belongs here (a
# test checks): an experiment adds those in Experiment.arguments.
PLATFORM_ARGUMENTS = (
    Argument('world', 'embedded', 'Which world simulates the robot: the embedded MuJoCo '
             'world (pip only) or Gazebo (gz-sim via ros_gz)', ('embedded', 'gazebo')),
    Argument('step_ms', '200.0', 'Brain step and lockstep round length, ms'),
    Argument('brain', default_path('brains', 'example_brain.py'), 'PyNN brain file'),
    Argument('transfer_functions', '',
             'Transfer-function file(s), comma-separated; each runs in its own tf_node '
             '(empty: none)'),
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
    Argument('run_dir', 'results/run', 'Directory of the run: what the experiment writes, '
             'logs, recordings'),
    Argument('robot', default_path('config', 'robots', 'generic_omni.yaml'),
             'Robot file used with use_sim_time:=false: topic remaps of the transfer '
             'functions, where the world\'s origin lies in the odometry frame, top speed'),
    Argument('input_timeout_s', '1.0', 'Wall-clock seconds after which a required input of a '
             'transfer function (e.g. odom) is stale without use_sim_time: the robot gets '
             'stop commands until it is fresh again'),
    Argument('max_consecutive_failures', '5', 'A transfer function failing this often in a '
             'row ends the run with its last error (0: never)'),
    Argument('monitoring', 'true', 'Start spike_raster (rqt_image_view: brain/raster) and, '
             'in a maze world, maze_markers (rviz: maze/markers)'),
)


# Kinds and ranges of the platform arguments: name -> (kind, low, high). Checked before
# anything starts (resolve_arguments), listed by `neurobot launch <name> --show-args`.
PLATFORM_RANGES = {
    'step_ms': ('float', 1.0, 1000.0),  # ms
    'brain': ('file', None, None),
    'transfer_functions': ('files', None, None),
    'headless': ('bool', None, None),
    'use_sim_time': ('bool', None, None),
    'record': ('bool', None, None),
    'live_view': ('bool', None, None),
    'live_view_port': ('int', 1, 65535),
    'seed': ('int', 1, 2**31 - 1),  # NEST refuses seed 0
    'lockstep_timeout_s': ('float', 0.1, 3600.0),  # s
    'resolution_ms': ('float', 0.001, 10.0),  # ms
    'record_weights_every_ms': ('float', 1.0, None),  # ms
    'input_timeout_s': ('float', 0.01, 3600.0),  # s
    'max_consecutive_failures': ('int', 0, 10**6),
    'monitoring': ('bool', None, None),
}
PLATFORM_ARGUMENTS = tuple(
    replace(a, **dict(zip(('kind', 'low', 'high'), PLATFORM_RANGES[a.name])))
    if a.name in PLATFORM_RANGES else a for a in PLATFORM_ARGUMENTS)


def experiment_arguments(experiment) -> tuple:
    """The launch arguments of ``experiment``: the platform's (with its defaults), then its own.

    run_dir defaults to results/<name> unless the experiment says otherwise.

    Raises:
        ValueError: the experiment redefines a platform argument, or gives a default
            for an argument that does not exist.
    """
    platform = {a.name for a in PLATFORM_ARGUMENTS}
    clashes = sorted(platform & {a.name for a in experiment.arguments})
    if clashes:
        raise ValueError(f'experiment {experiment.name}: its arguments {clashes} are platform '
                         f'arguments; give them a default in Experiment.defaults instead')
    defaults = {'run_dir': f'results/{experiment.name}', **experiment.defaults}
    unknown = sorted(set(defaults) - platform)
    if unknown:
        raise ValueError(f'experiment {experiment.name}: defaults for {unknown}, which are '
                         f'not platform arguments')
    return tuple(replace(a, default=str(defaults[a.name])) if a.name in defaults else a
                 for a in PLATFORM_ARGUMENTS) + tuple(experiment.arguments)


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


def lockstep_enabled(values: dict) -> bool:
    """Whether world, brain and transfer functions advance in lockstep rounds.

    They do in simulated time with the embedded world (or an experiment's own world);
    Gazebo keeps its own clock and a real robot runs on wall-clock time.
    """
    return as_bool(values['use_sim_time'], 'use_sim_time') and values['world'] == 'embedded'


def embedded_world_node(values: dict, parameters: dict = None) -> NodeSpec:
    """The platform's embedded world (world_node) with extra ``parameters`` (e.g. maze)."""
    return NodeSpec('world', 'world_node', parameters={
        **(parameters or {}),
        'seed': _as_int(values['seed'], 'seed'),
        'stepped': True,
        'step_ms': _as_float(values['step_ms'], 'step_ms'),
        'use_sim_time': False,  # the world *is* the clock
    })


def brain_node(values: dict, name: str = 'brain', namespace: str = '', brain: str = None,
               brain_args: dict = None) -> NodeSpec:
    """brain_node on a brain file, on simulated or wall-clock time.

    Args:
        values: resolved launch arguments.
        name: the node's name.
        namespace: its ROS namespace ('' for none).
        brain: the brain file (default: the ``brain`` argument).
        brain_args: the brain file's arguments (brain_node parameter ``brain_args``).
    """
    parameters = {
        'brain': brain or values['brain'],
        'brain_args': json.dumps(brain_args or {}, sort_keys=True),
        'step_ms': _as_float(values['step_ms'], 'step_ms'),
        'resolution_ms': _as_float(values['resolution_ms'], 'resolution_ms'),
        'seed': _as_int(values['seed'], 'seed'),
        'use_sim_time': as_bool(values['use_sim_time'], 'use_sim_time'),
    }
    parameters.update(weight_recording_parameters(values, namespace))
    return NodeSpec(name, 'brain_node', parameters=parameters, namespace=namespace)


def world_nodes(experiment, values: dict) -> list:
    """The experiment's own world nodes, else the embedded world (none for Gazebo or a robot).

    Gazebo runs from world.launch.py's Gazebo branch; a real robot is its own world.
    """
    if experiment.world_nodes is not None:
        return list(experiment.world_nodes(values))
    if values['world'] != 'embedded' or not as_bool(values['use_sim_time'], 'use_sim_time'):
        return []
    return [embedded_world_node(values, world_parameters(experiment, values))]


def world_parameters(experiment, values: dict) -> dict:
    """Extra parameters of the embedded world the experiment asks for ({} for none)."""
    if experiment.world_parameters is None:
        return {}
    return dict(experiment.world_parameters(values))


def brain_nodes(experiment, values: dict) -> list:
    """The experiment's brains, else one brain_node on the ``brain`` argument."""
    if experiment.brain_nodes is not None:
        return list(experiment.brain_nodes(values))
    brain_args = experiment.brain_arguments(values) if experiment.brain_arguments else {}
    return [brain_node(values, brain_args=brain_args)]


def weight_recording_parameters(values: dict, namespace: str = '') -> dict:
    """brain_node parameters recording the ``record_weights`` projections (none: {}).

    A namespaced brain writes <run_dir>/<namespace>_weights.nbw (one file per brain).
    """
    names = [n.strip() for n in str(values['record_weights']).split(',') if n.strip()]
    if not names:
        return {}
    prefix = namespace.strip('/').replace('/', '_') + '_' if namespace.strip('/') else ''
    return {
        'record_weights': names,
        'record_weights_every_ms': _as_float(values['record_weights_every_ms'],
                                             'record_weights_every_ms'),
        'record_weights_path': os.path.join(values['run_dir'], f'{prefix}weights.nbw'),
        'record_weights_on_error': values['record_weights_on_error'],
    }


ROBOT_REMAPPABLE = ('cmd_vel', 'odom', 'scan')


def robot_settings(path: str) -> tuple:
    """Read a robot file (config/robots/*.yaml): (remappings, tf_node parameters).

    The tf_node parameters (``speed_mps``, ``maze_origin_in_odom``: where the world's
    frame lies in the odometry frame) reach every transfer function on a real robot.

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
    parameters = {'speed_mps': float(speed), 'maze_origin_in_odom': [float(v) for v in origin]}
    return sorted(remaps.items()), parameters


def transfer_function_nodes(experiment, values: dict) -> list:
    """One tf_node per transfer-function file, with the experiment's tf parameters.

    Without use_sim_time the robot file's remaps and parameters apply too.
    """
    sim_time = as_bool(values['use_sim_time'], 'use_sim_time')
    remappings, robot_parameters = [], {}
    if not sim_time:
        remappings, robot_parameters = robot_settings(values['robot'])
    extra = dict(experiment.tf_parameters(values)) if experiment.tf_parameters else {}
    nodes = []
    for index, path in enumerate(transfer_function_files(values['transfer_functions'])):
        parameters = {'transfer_functions': [path], 'use_sim_time': sim_time,
                      'step_ms': _as_float(values['step_ms'], 'step_ms'),
                      'seed': _as_int(values['seed'], 'seed'), 'run_dir': values['run_dir'],
                      'input_timeout_s': _as_float(values['input_timeout_s'], 'input_timeout_s'),
                      'max_consecutive_failures': _as_int(values['max_consecutive_failures'],
                                                          'max_consecutive_failures'),
                      **extra, **robot_parameters}
        nodes.append(NodeSpec(tf_node_name(index), 'tf_node', parameters=parameters,
                              remappings=list(remappings)))
    return nodes


def lockstep_observers(values: dict) -> list:
    """Nodes that take part in lockstep round 0 only (neurobot.round_zero).

    With ``record``: the recorder and the raster it records, so the recording holds the
    run's first messages.
    """
    if not lockstep_enabled(values) or not as_bool(values['record'], 'record'):
        return []
    return ['mcap_recorder'] + (['spike_raster'] if as_bool(values['monitoring'], 'monitoring')
                                else [])


def add_lockstep(values: dict, simulation: list, transfer: list, others: list):
    """Give the lockstep participants and observers their lockstep parameters (in place).

    Args:
        values: resolved launch arguments.
        simulation: world and brain NodeSpecs (the simulation phase of a round).
        transfer: tf_node NodeSpecs (the transfer phase).
        others: every other node; the observers among them (see lockstep_observers)
            take part in round 0, the lockstep monitor learns who takes part.
    """
    names = {'lockstep_simulation': [s.full_name for s in simulation] or [''],
             'lockstep_transfer': [s.full_name for s in transfer] or ['']}
    observers = lockstep_observers(values)
    common = {**names, 'lockstep': True,
              'lockstep_timeout_s': _as_float(values['lockstep_timeout_s'],
                                              'lockstep_timeout_s'),
              'lockstep_observers': observers or ['']}
    for spec in simulation + transfer + [s for s in others if s.full_name in observers]:
        spec.parameters.update(common, lockstep_name=spec.full_name)
    for spec in others:
        if spec.executable == 'lockstep_monitor':
            spec.parameters.update(names)


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
    return [NodeSpec('lockstep_monitor', 'lockstep_monitor', required=False)]


LIDAR_HEIGHT_M = 0.2  # m, laser_link above base_link (urdf/omni_robot.urdf, RobotParams)


def _robot_topics(values: dict) -> tuple:
    """(odom topic, scan topic, maze_origin_in_odom) the robot's odometry arrives with."""
    if as_bool(values['use_sim_time'], 'use_sim_time'):
        return 'odom', 'scan', [0.0, 0.0, 0.0]  # simulated odom coincides with the world frame
    remappings, parameters = robot_settings(values['robot'])
    remaps = dict(remappings)
    return (remaps.get('odom', 'odom'), remaps.get('scan', 'scan'),
            parameters['maze_origin_in_odom'])


def monitoring_nodes(values: dict, maze: str = '', tf: bool = False) -> list:
    """spike_raster and, in a maze world, maze_markers (not required), when ``monitoring``.

    Args:
        values: resolved launch arguments.
        maze: the maze YAML of the world's walls ('' for a world that is no maze: no
            markers).
        tf: tf2_ros is installed (full ROS 2 installs; the launch file decides): the
            markers node then broadcasts odom -> base_link in simulation (a real robot's
            driver does that itself).
    """
    if not as_bool(values['monitoring'], 'monitoring'):
        return []
    raster = NodeSpec('spike_raster', 'spike_raster', required=False)
    if not maze:
        return [raster]
    sim_time = as_bool(values['use_sim_time'], 'use_sim_time')
    odom, scan, origin = _robot_topics(values)
    embedded = sim_time and values['world'] == 'embedded'
    return [
        NodeSpec('maze_markers', 'maze_markers', required=False, parameters={
            'maze': maze,
            # the embedded world's exact pose in the maze frame; elsewhere odometry
            'pose_topic': 'ground_truth/pose' if embedded else '',
            # odometry only where it is the pose, or the source of odom -> base_link
            'odom_topic': odom if not embedded or tf else '', 'scan_topic': scan,
            'maze_origin_in_odom': origin,
            'publish_tf': bool(tf and sim_time)}),
        raster,
    ]


def static_transforms(values: dict) -> list:
    """Static tf for rviz on full installs: (parent, child, x_m, y_m, z_m, yaw_rad).

    map is the world (maze) frame. In simulation odom coincides with it and laser_link
    sits LIDAR_HEIGHT_M above base_link; on a real robot odom lies where the robot file
    says and the robot's own description provides base_link -> laser_link.
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


def resolve(experiment, given: dict) -> dict:
    """The launch arguments of ``experiment`` for ``given`` (strings), checked.

    Raises:
        ValueError: an unknown argument or a value it does not allow (one line).
    """
    arguments = experiment_arguments(experiment)
    _check_moved_files(experiment, arguments, given)
    if experiment.given_defaults is not None:  # e.g. the brain of the chosen learner
        given = {**experiment.given_defaults(dict(given)), **given}
    return resolve_arguments(arguments, given)


def _check_moved_files(experiment, arguments, given: dict):
    """Raise ValueError naming the new place of a moved file a file argument names."""
    for argument in arguments:
        if argument.kind not in ('file', 'files') or argument.name not in given:
            continue
        paths = (transfer_function_files(given[argument.name]) if argument.kind == 'files'
                 else [str(given[argument.name])])
        for path in paths:
            if os.path.exists(path):
                continue
            for old, new in experiment.moved_files.items():
                if path.replace(os.sep, '/').endswith(old):
                    raise ValueError(f'{argument.name}: {path}: no such file; the '
                                     f'{experiment.name} experiment\'s {old} is now {new}')


def nodes(experiment, given: dict, tf: bool = False) -> list:
    """Every node of ``experiment``'s bring-up for launch arguments ``given`` (strings).

    World(s), brain(s), one tf_node per transfer-function file, the timing monitor, the
    experiment's extra nodes, monitoring, recording and live view. In lockstep the world
    and brain nodes form the simulation phase of a round and every tf_node (the
    platform's and any among the extra nodes) the transfer phase, each under its
    NodeSpec.full_name.

    Args:
        experiment: a :class:`neurobot.experiment.Experiment`.
        given: launch arguments by name (strings); absent ones take their defaults.
        tf: tf2_ros is installed (see :func:`monitoring_nodes`).

    Raises:
        ValueError: a bad argument (one line naming it), or two nodes with one full name.
    """
    values = resolve(experiment, given)
    worlds = world_nodes(experiment, values)
    brains = brain_nodes(experiment, values)
    tfs = transfer_function_nodes(experiment, values)
    extra = list(experiment.extra_nodes(values)) if experiment.extra_nodes else []
    maze = world_parameters(experiment, values).get('maze', '') \
        if experiment.world_nodes is None else ''
    others = (monitor_nodes(values) + extra + monitoring_nodes(values, maze, tf)
              + recording_nodes(values) + live_view_nodes(values))
    specs = worlds + brains + tfs + others
    names = [s.full_name for s in specs]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f'experiment {experiment.name}: several nodes named {twice}')
    if lockstep_enabled(values):
        add_lockstep(values, worlds + brains,
                     tfs + [s for s in extra if s.executable == 'tf_node'],
                     [s for s in others if s.executable != 'tf_node'])
    return specs
