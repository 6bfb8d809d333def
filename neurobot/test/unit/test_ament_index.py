"""After the set-up, neurobot is in the venv's ament index, so ROS 2's own tools find it.

``ros2 launch neurobot maze.launch.py`` resolves the package with
``ament_index_python.get_package_share_directory`` and ``ros2 run neurobot brain_node``
lists the executables below ``<prefix>/lib/neurobot`` (ros2pkg's ``get_executable_paths``);
both look the package up in ``share/ament_index/resource_index/packages`` of a prefix on
``AMENT_PREFIX_PATH``. These tests check the venv the suite runs in (``sys.prefix``),
which ``scripts/setup_venv.sh`` set up.
"""

from importlib import metadata
import importlib.util
import os
from pathlib import Path
import subprocess
import sys

REPO = Path(__file__).resolve().parents[3]
PREFIX = Path(sys.prefix)
LAUNCH_FILES = ('maze.launch.py', 'brain.launch.py', 'world.launch.py')


def _installer():
    spec = importlib.util.spec_from_file_location(
        'install_ament_index', REPO / 'scripts' / 'install_ament_index.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _lookup(code: str) -> str:
    """Run ``code`` in a fresh interpreter with only the venv on AMENT_PREFIX_PATH."""
    env = dict(os.environ, AMENT_PREFIX_PATH=str(PREFIX))
    result = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True,
                            text=True, timeout=60, check=True)
    return result.stdout.strip()


def test_share_directory_holds_what_ros2_launch_needs():
    share = PREFIX / 'share' / 'neurobot'
    assert (PREFIX / 'share/ament_index/resource_index/packages/neurobot').is_file()
    assert (share / 'package.xml').read_text() == (REPO / 'neurobot/package.xml').read_text()
    for name in LAUNCH_FILES:
        assert (share / 'launch' / name).is_file(), name
    assert (share / 'config' / 'fastdds_localhost.xml').is_file()
    assert (share / 'experiments' / 'maze' / 'mazes' / 'default.yaml').is_file()
    assert (share / 'worlds' / 'maze_default.sdf').is_file()
    assert (share / 'urdf' / 'omni_robot.urdf').is_file()
    # ros2launch finds a launch file by walking the share folder, not following symlinked
    # folders (ros2launch.api.get_launch_file_paths)
    walked = [name for _, _, files in os.walk(share) for name in files]
    assert set(LAUNCH_FILES) <= set(walked), walked
    found = _lookup('from ament_index_python.packages import get_package_share_directory\n'
                    'print(get_package_share_directory("neurobot"))')
    assert Path(found) == share


def test_ros2_launch_finds_every_launch_file_once():
    """Each launch file lies once below share/neurobot.

    ros2launch looks `ros2 launch neurobot <file>` up by name anywhere below
    share/neurobot and refuses a name found twice (MultipleLaunchFilesError).
    """
    share = PREFIX / 'share' / 'neurobot'
    expected = sorted({*LAUNCH_FILES, *(p.name for p in
                                        (REPO / 'neurobot').glob('experiments/*/*.launch.py'))})
    assert {'pong.launch.py', 'wander.launch.py'} <= set(expected)
    walked = sorted(name for _, _, files in os.walk(share) for name in files
                    if name.endswith('.launch.py'))
    assert walked == expected


def test_every_console_script_is_an_executable_in_lib():
    scripts = sorted(ep.name for ep in metadata.distribution('neurobot').entry_points
                     if ep.group == 'console_scripts')
    assert 'brain_node' in scripts and 'tf_node' in scripts and 'world_node' in scripts
    # ros2 run's own lookup (ros2pkg.api.get_executable_paths): files below
    # <prefix>/lib/<package> that are executable.
    listed = _lookup(
        'import os\n'
        'from ament_index_python.packages import get_package_prefix\n'
        'lib = os.path.join(get_package_prefix("neurobot"), "lib", "neurobot")\n'
        'def runnable(n):\n'
        '    path = os.path.join(lib, n)\n'
        '    return os.path.isfile(path) and os.access(path, os.X_OK)\n'
        'print(" ".join(sorted(n for n in os.listdir(lib) if runnable(n))))')
    assert listed.split() == scripts


def test_an_executable_from_lib_runs():
    """lib/neurobot/neurobot is the venv's own console script, not a stale copy."""
    result = subprocess.run([str(PREFIX / 'lib' / 'neurobot' / 'neurobot'), '--help'],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert 'launch' in result.stdout


def test_installer_reads_the_share_folders_from_setup_py():
    folders = _installer().share_folders(REPO / 'neurobot' / 'setup.py')
    assert {'launch', 'config', 'worlds', 'urdf'} <= set(folders)
    for folder in folders:
        assert (PREFIX / 'share' / 'neurobot' / folder).is_dir(), folder
