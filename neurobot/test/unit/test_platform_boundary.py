"""The platform names no experiment: experiments plug in, the platform does not reach out.

The platform is neurobot/neurobot, neurobot/brain_node and neurobot/tf_nodes. None of its
modules may import ``experiments`` (an experiment is found through its entry point only),
its generic launch arguments hold no experiment's argument, and no platform file passes
the maze's old NEUROBOT_MAZE_CELLS environment variable (brain files get arguments
through brain_node's ``brain_args``).
"""

import ast
from pathlib import Path

from neurobot import bringup
from neurobot.experiment import registered

PKG = Path(__file__).resolve().parents[2]
PLATFORM = ('neurobot', 'brain_node', 'tf_nodes')
# The maze's own launch arguments (experiments/maze/experiment.py).
EXPERIMENT_ARGUMENTS = {'maze', 'mode', 'episodes', 'max_moves', 'resume', 'learner'}


def platform_files(pattern='*.py'):
    return sorted(path for folder in PLATFORM for path in (PKG / folder).rglob(pattern)
                  if '__pycache__' not in path.parts)


def imported_modules(path: Path) -> list:
    """(line, module) of every import in a Python file, relative imports resolved as-is."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and getattr(node.func, 'attr', getattr(
                node.func, 'id', '')) in ('import_module', '__import__') and node.args \
                and isinstance(node.args[0], ast.Constant):
            found.append((node.lineno, str(node.args[0].value)))
    return found


def test_no_platform_module_imports_an_experiment():
    files = platform_files()
    assert len(files) > 50  # the platform was found
    offending = [f'{path.relative_to(PKG)}:{line}: {module}' for path in files
                 for line, module in imported_modules(path)
                 if module == 'experiments' or module.startswith('experiments.')]
    assert offending == []


def test_the_boundary_check_sees_every_kind_of_import(tmp_path):
    """The checker itself must catch what it is meant to catch."""
    probe = tmp_path / 'probe.py'
    probe.write_text('import experiments.maze\nfrom experiments.maze import brain\n'
                     'import importlib\nimportlib.import_module("experiments.pong")\n')
    assert [m for _, m in imported_modules(probe)] == [
        'experiments.maze', 'experiments.maze', 'importlib', 'experiments.pong']


def test_the_generic_arguments_name_no_experiment_argument():
    names = {a.name for a in bringup.PLATFORM_ARGUMENTS}
    assert {'world', 'brain', 'transfer_functions', 'seed', 'run_dir'} <= names
    assert names & EXPERIMENT_ARGUMENTS == set()
    # and none of any installed experiment's own arguments (pong's players, ...)
    installed = registered()
    assert 'maze' in installed
    for name, experiment in installed.items():
        own = {a.name for a in experiment.arguments}
        assert names & own == set(), f'experiment {name} reuses platform arguments'


def test_no_platform_file_mentions_the_maze_cells_environment_variable():
    files = platform_files('*')
    mentioning = [str(p.relative_to(PKG)) for p in files
                  if p.is_file() and 'NEUROBOT_MAZE_CELLS' in p.read_text(errors='replace')]
    assert mentioning == []
