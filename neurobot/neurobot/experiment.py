"""Experiments as plug-ins: what one experiment adds to the platform, and how it is found.

An experiment package (``experiments/<name>/`` in the neurobot ROS package, or any other
installed distribution) describes itself with one :class:`Experiment` and registers it
under the entry-point group ``neurobot.experiments``, e.g. in setup.py::

    entry_points={'neurobot.experiments': ['maze = experiments.maze.experiment:EXPERIMENT']}

The platform finds experiments through that group only; it imports no experiment by
name. :func:`registered` lists them, :func:`get` returns one.
:func:`neurobot.bringup.nodes` turns an experiment and launch arguments into the nodes
to start; ``neurobot experiments``, ``neurobot run <name>``, ``neurobot launch <name>``
and ``ros2 launch neurobot <name>.launch.py`` all use it.

Pure Python: no ``launch`` or ``rclpy`` import.
"""

from dataclasses import dataclass, field
from importlib.metadata import entry_points
import logging
from typing import Callable

_log = logging.getLogger(__name__)

GROUP = 'neurobot.experiments'  # entry-point group experiments register in


@dataclass(frozen=True)
class Experiment:
    """What an experiment adds to the platform.

    Every callable taking ``values`` gets the resolved launch arguments (strings, the
    platform's and the experiment's own) and runs when the bring-up is built.

    Attributes:
        name: the experiment's name ('maze'), used on the command line and as the launch
            file's name (<name>.launch.py).
        summary: one line, shown by ``neurobot experiments``.
        arguments: its own :class:`neurobot.bringup.Argument` s (none may reuse a
            platform argument's name).
        defaults: new defaults of platform arguments (brain, transfer_functions,
            step_ms, run_dir, ...), as strings.
        given_defaults: given arguments (strings) -> defaults that depend on them, e.g.
            the brain and step of the chosen learner; they replace ``defaults`` and the
            platform's for arguments not given. None: no such defaults.
        moved_files: where files the experiment once shipped elsewhere are now: old
            path (relative, e.g. 'brains/x.py') -> new path. A file argument naming a
            missing file that ends with an old path fails saying where it went.
        brain_arguments: values -> dict handed to the brain file (brain_node parameter
            ``brain_args``, read with ``brain_node.arguments.argument``).
        tf_parameters: values -> extra parameters of every tf_node (the transfer
            functions read them from ``params``).
        world_parameters: values -> extra parameters of the platform's embedded world
            (e.g. ``maze``: the YAML file of its walls, which the monitoring markers draw
            as well). Used when ``world_nodes`` is None.
        world_nodes: values -> the experiment's own world nodes (lockstep participants
            of the simulation); None: the platform's embedded robot world.
        brain_nodes: values -> several brains (e.g. one per player, each in its own
            namespace); None: one brain_node named 'brain' on the ``brain`` argument.
        extra_nodes: values -> further nodes (not lockstep participants).
        add_commands: adds the experiment's own subcommands to ``neurobot``'s
            subparsers (argparse ``_SubParsersAction``).
        run: ``neurobot run <name> [options] [name:=value]``: the experiment's command
            line (argv after the name) -> exit status.
    """

    name: str
    summary: str
    arguments: tuple = ()
    defaults: dict = field(default_factory=dict)
    moved_files: dict = field(default_factory=dict)
    given_defaults: Callable[[dict], dict] | None = None
    brain_arguments: Callable[[dict], dict] | None = None
    tf_parameters: Callable[[dict], dict] | None = None
    world_parameters: Callable[[dict], dict] | None = None
    world_nodes: Callable[[dict], list] | None = None
    brain_nodes: Callable[[dict], list] | None = None
    extra_nodes: Callable[[dict], list] | None = None
    add_commands: Callable | None = None
    run: Callable[[list], int] | None = None


def registered() -> dict:
    """Every experiment installed under :data:`GROUP`: name -> :class:`Experiment`.

    An entry point that fails to load, or that is not an Experiment, is left out with a
    warning, so one broken experiment does not take the others down.
    """
    found = {}
    for point in sorted(entry_points(group=GROUP), key=lambda p: p.name):
        try:
            experiment = point.load()
        except Exception as error:  # noqa: BLE001 - any import error of a plug-in
            _log.warning('experiment %s (%s) cannot be loaded: %s', point.name, point.value,
                         error)
            continue
        if not isinstance(experiment, Experiment):
            _log.warning('experiment %s (%s) is a %s, not a neurobot.experiment.Experiment',
                         point.name, point.value, type(experiment).__name__)
            continue
        if experiment.name != point.name:
            _log.warning('experiment %s (%s) calls itself %r; registered as %s', point.name,
                         point.value, experiment.name, point.name)
        found[point.name] = experiment
    return found


def get(name: str) -> Experiment:
    """The registered experiment ``name``.

    Raises:
        ValueError: no experiment of that name (one line listing the known ones).
    """
    experiments = registered()
    if name not in experiments:
        known = ', '.join(sorted(experiments)) or 'none installed'
        raise ValueError(f'unknown experiment {name!r}; known experiments: {known}')
    return experiments[name]
