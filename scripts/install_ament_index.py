"""Register the editable neurobot install in a prefix's ament index, as colcon would.

``pip install -e neurobot`` puts the Python packages and console scripts into the venv
but leaves ROS 2's tools blind to the package: ``ros2 launch`` and ``ros2 run`` look it
up in the ament index of a prefix on ``AMENT_PREFIX_PATH``. This script adds what
colcon's ament_python build (``--symlink-install``) installs there:

- ``share/ament_index/resource_index/packages/neurobot`` (the resource marker),
- ``share/neurobot/package.xml`` and the data folders ``setup.py`` installs by glob
  (launch, config, worlds, urdf, ...): real folders holding one symlink per source file,
  as ``colcon build --symlink-install`` makes them (``ros2 launch`` walks the share folder
  without following symlinked folders), so that edits take effect without reinstalling,
  like the editable install itself; links to files that are gone are removed,
- ``lib/neurobot/<executable>`` for every console script, linking to ``bin/<executable>``.

Usage: ``python scripts/install_ament_index.py PACKAGE_DIR PREFIX`` (run by
``scripts/setup_venv.sh`` with the venv's Python after the editable install). Idempotent;
run it again after adding a file to one of those folders (edits need nothing).
"""

import argparse
import ast
from importlib import metadata
import os
from pathlib import Path
import sys

PACKAGE = 'neurobot'


def share_folders(setup_py: Path) -> list:
    """Folders setup.py installs into share/<package> with ``share_files('<folder>')``."""
    tree = ast.parse(setup_py.read_text(), str(setup_py))
    folders = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == 'share_files' and node.args
                and isinstance(node.args[0], ast.Constant)):
            folders.append(node.args[0].value)
    if not folders:
        raise ValueError(f'{setup_py}: expected share_files(<folder>) entries in data_files')
    return folders


def console_scripts(package: str) -> list:
    """Names of the console scripts the installed distribution declares."""
    return sorted(ep.name for ep in metadata.distribution(package).entry_points
                  if ep.group == 'console_scripts')


def _link(target: Path, link: Path):
    """Make ``link`` a relative symlink to ``target``, replacing what was there."""
    if link.is_symlink() or link.is_file():
        link.unlink()
    elif link.exists():
        raise FileExistsError(f'{link} exists and is not a link; remove it and run again')
    link.symlink_to(os.path.relpath(target, link.parent))


def _link_tree(source: Path, target: Path, skip=frozenset()) -> list:
    """Mirror the folder ``source`` at ``target``: real folders, a symlink per file.

    Files in ``skip`` are left out (a link an earlier set-up made to one is removed).
    """
    if target.is_symlink():  # a whole-folder link from an earlier set-up
        target.unlink()
    created = []
    for folder, subfolders, files in os.walk(source):
        subfolders[:] = [d for d in subfolders if d != '__pycache__']
        destination = target / Path(folder).relative_to(source)
        destination.mkdir(parents=True, exist_ok=True)
        for name in files:
            if Path(folder) / name in skip:
                if (destination / name).is_symlink():
                    (destination / name).unlink()
                continue
            _link(Path(folder) / name, destination / name)
            created.append(destination / name)
    for folder, _, files in os.walk(target):  # links whose source file is gone
        for name in files:
            path = Path(folder) / name
            if path.is_symlink() and not path.exists():
                path.unlink()
    return created


def install(package_dir: Path, prefix: Path) -> list:
    """Install the index entries of the package in ``package_dir`` into ``prefix``.

    Returns:
        The paths created, relative to ``prefix``.
    """
    created = []
    index = prefix / 'share' / 'ament_index' / 'resource_index' / 'packages'
    index.mkdir(parents=True, exist_ok=True)
    (index / PACKAGE).write_text((package_dir / 'resource' / PACKAGE).read_text())
    created.append(index / PACKAGE)

    share = prefix / 'share' / PACKAGE
    share.mkdir(parents=True, exist_ok=True)
    _link(package_dir / 'package.xml', share / 'package.xml')
    created.append(share / 'package.xml')
    # each experiment's <name>.launch.py beside the platform's (setup.py's
    # experiment_launch_files), so that `ros2 launch neurobot <name>.launch.py` finds it;
    # only there: ros2 launch refuses a file name found twice below share/neurobot
    launch_files = sorted(package_dir.glob('experiments/*/*.launch.py'))
    for folder in share_folders(package_dir / 'setup.py'):
        created += _link_tree(package_dir / folder, share / folder, skip=set(launch_files))
    for launch_file in launch_files:
        (share / 'launch').mkdir(parents=True, exist_ok=True)
        _link(launch_file, share / 'launch' / launch_file.name)
        created.append(share / 'launch' / launch_file.name)

    lib = prefix / 'lib' / PACKAGE
    lib.mkdir(parents=True, exist_ok=True)
    for name in console_scripts(PACKAGE):
        executable = prefix / 'bin' / name
        if not executable.is_file():
            raise FileNotFoundError(f'{executable} is missing: install {PACKAGE} first '
                                    f'(pip install -e {package_dir})')
        _link(executable, lib / name)
        created.append(lib / name)
    return [path.relative_to(prefix) for path in created]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('package_dir', type=Path, help='the neurobot package folder (setup.py)')
    parser.add_argument('prefix', type=Path, help='the install prefix, e.g. .venv')
    args = parser.parse_args(argv)
    created = install(args.package_dir.resolve(), args.prefix.absolute())
    print(f'ament index: {PACKAGE} registered in {args.prefix} ({len(created)} entries)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
