"""Execute a PyNN brain file and list what it built.

A brain file is an ordinary PyNN script (``import pyNN.nest as sim``) that creates
populations and projections. brain_node sets PyNN up itself (time step, threads,
seed) and then executes the file, so the file must not run the simulation. Names:

- a population or projection bound to a module-level variable is named after it
  (``sensors = sim.Population(...)`` is ``sensors``);
- objects inside module-level lists, tuples or dicts are named ``<var>_<key>``;
- anything else falls back to its PyNN label, made safe for ROS topic names.

The file runs with ``__name__ == '__neurobot_brain__'``, so a file can keep a
standalone ``if __name__ == '__main__':`` block that sets up and runs PyNN itself.
"""

from dataclasses import dataclass, field
import logging
import re
import runpy
from typing import Any

_log = logging.getLogger(__name__)

BRAIN_RUN_NAME = '__neurobot_brain__'


class BrainFileError(RuntimeError):
    """The brain file tried something brain_node does itself (setup with other values, run)."""


@dataclass
class LoadedBrain:
    """The result of executing a brain file.

    Attributes:
        path: the brain file.
        populations: name -> PyNN Population (or PopulationView/Assembly made of them).
        projections: name -> PyNN Projection.
        namespace: the module globals after execution (for transfer functions or debugging).
    """

    path: str
    populations: dict = field(default_factory=dict)
    projections: dict = field(default_factory=dict)
    namespace: dict = field(default_factory=dict)


def ros_safe_name(text: str) -> str:
    """Turn ``text`` into a valid ROS name token: [A-Za-z0-9_], not starting with a digit."""
    name = re.sub(r'[^A-Za-z0-9_]+', '_', str(text)).strip('_') or 'unnamed'
    if name[0].isdigit():
        name = 'p_' + name
    return name


def _unique(name: str, taken: set) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate = f'{name}_{n}'
        n += 1
    taken.add(candidate)
    return candidate


def _named_objects(namespace: dict):
    """Yield (name, object) for module variables and one level inside lists/tuples/dicts."""
    for var, value in namespace.items():
        if var.startswith('__'):
            continue
        yield var, value
        if isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                yield f'{var}_{i}', item
        elif isinstance(value, dict):
            for key, item in value.items():
                yield f'{var}_{ros_safe_name(key)}', item


def inventory(namespace: dict, all_populations: list, population_type, projection_type):
    """Name the populations and projections found in a brain file's namespace.

    Args:
        namespace: module globals after executing the brain file.
        all_populations: every Population PyNN created (``simulator.state.populations``),
            so that populations not bound to a variable are still found.
        population_type: the PyNN Population class.
        projection_type: the PyNN Projection class.

    Returns:
        (populations, projections) as name -> object dicts, in creation order for populations.
    """
    pop_names, proj_names = {}, {}
    for name, obj in _named_objects(namespace):
        if isinstance(obj, population_type) and id(obj) not in pop_names:
            pop_names[id(obj)] = ros_safe_name(name)
        elif isinstance(obj, projection_type) and id(obj) not in proj_names:
            proj_names[id(obj)] = (ros_safe_name(name), obj)
    taken = set()
    populations = {}
    for pop in all_populations:
        name = pop_names.get(id(pop)) or ros_safe_name(pop.label)
        populations[_unique(name, taken)] = pop
    taken = set()
    projections = {}
    for name, proj in proj_names.values():
        projections[_unique(name, taken)] = proj
    return populations, projections


def load_brain_file(path: str, sim: Any, resolution_ms: float) -> LoadedBrain:
    """Execute a brain file with ``sim`` (pyNN.nest) already set up.

    ``sim.setup`` calls inside the file are accepted when they agree with brain_node's
    time step (and are otherwise rejected); ``sim.run``/``run_until``/``end`` are
    rejected, because brain_node advances the brain itself.

    Args:
        path: the brain file.
        sim: the ``pyNN.nest`` module, after ``sim.setup()``.
        resolution_ms: brain_node's NEST resolution, ms.

    Returns:
        The loaded brain with named populations and projections.

    Raises:
        Whatever the brain file raises (with its file:line traceback), BrainFileError.
    """
    originals = {name: getattr(sim, name) for name in ('setup', 'run', 'run_until', 'end')}

    def setup_in_brain_file(timestep=None, **kwargs):
        if timestep is not None and abs(float(timestep) - resolution_ms) > 1e-12:
            raise BrainFileError(
                f'the brain file calls setup(timestep={timestep}) but brain_node runs NEST '
                f'with resolution_ms={resolution_ms}; set the brain_node parameter '
                f'resolution_ms instead, or remove setup() from the brain file')
        if kwargs:
            _log.warning('ignoring setup(%s) in the brain file: brain_node sets PyNN up '
                         '(parameters resolution_ms, threads, seed)',
                         ', '.join(f'{k}={v!r}' for k, v in kwargs.items()))
        return 0

    def refuse_to_run(*args, **kwargs):
        raise BrainFileError(
            'the brain file runs the simulation; brain files only build the network and '
            'brain_node advances it. Put standalone code under '
            "if __name__ == '__main__':")

    sim.setup = setup_in_brain_file
    sim.run = sim.run_until = refuse_to_run
    sim.end = lambda *a, **k: None
    try:
        namespace = runpy.run_path(path, run_name=BRAIN_RUN_NAME)
    finally:
        for name, original in originals.items():
            setattr(sim, name, original)
    from pyNN.nest import Population, Projection, simulator
    populations, projections = inventory(namespace, list(simulator.state.populations),
                                         Population, Projection)
    return LoadedBrain(path=str(path), populations=populations, projections=projections,
                       namespace=namespace)
