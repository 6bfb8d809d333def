"""Install the neurobot ROS 2 package (ament_python).

Python packages: ``neurobot`` (the platform core: DDS set-up, QoS profiles, paths,
bring-up, command line), ``brain_node``, ``tf_nodes`` and ``experiments`` (one package
per experiment, registered under the entry-point group ``neurobot.experiments``). Launch
files, configs, worlds, URDF, example brains and the experiments' files (brains,
transfer functions, configs) are installed by glob into ``share/neurobot/`` as
ament_python packages do; each experiment's ``<name>.launch.py`` also goes to
``share/neurobot/launch``, so ``ros2 launch neurobot <name>.launch.py`` finds it.
"""

from glob import glob
import os

from setuptools import find_packages, setup

PACKAGE = 'neurobot'


def share_files(directory, pattern='**/*'):
    """Return data_files entries installing ``directory`` below share/neurobot.

    Subfolders are kept. An experiment's launch file is left out: it is installed to
    share/neurobot/launch only, since ``ros2 launch`` looks a file name up anywhere below
    share/neurobot and refuses one found twice.
    """
    entries = {}
    for path in glob(os.path.join(directory, pattern), recursive=True):
        if (os.path.isfile(path) and '__pycache__' not in path
                and path not in experiment_launch_files()[0][1]):
            target = os.path.join('share', PACKAGE, os.path.dirname(path))
            entries.setdefault(target, []).append(path)
    return sorted(entries.items())


def experiment_launch_files():
    """data_files entry installing every experiment's launch file into share/neurobot/launch."""
    return [(os.path.join('share', PACKAGE, 'launch'),
             sorted(glob(os.path.join('experiments', '*', '*.launch.py'))))]


setup(
    name=PACKAGE,
    version='0.1.0',
    packages=find_packages(include=['neurobot', 'neurobot.*', 'brain_node', 'brain_node.*',
                                    'tf_nodes', 'tf_nodes.*', 'experiments', 'experiments.*']),
    data_files=[
        ('share/ament_index/resource_index/packages', ['resource/' + PACKAGE]),
        ('share/' + PACKAGE, ['package.xml']),
        *share_files('launch'),
        *share_files('config'),
        *share_files('worlds'),
        *share_files('urdf'),
        *share_files('brains'),
        *share_files('transfer_functions'),
        *share_files('experiments'),
        *experiment_launch_files(),
    ],
    install_requires=['setuptools'],
    zip_safe=True,
    maintainer='neurobot developers',
    maintainer_email='neurobot@example.com',
    description='Closed-loop spiking brains (NEST/PyNN) and robots over ROS 2.',
    license='Apache-2.0',
    entry_points={
        'console_scripts': [
            'brain_node = brain_node.node:main',
            'neurobot-demo = neurobot.demo:main',
            'world_node = neurobot.world.node:main',
            'tf_node = tf_nodes.node:main',
            'neurobot = neurobot.cli:main',
            'lockstep_monitor = neurobot.monitor_node:main',
            'mcap_recorder = neurobot.recording.recorder_node:main',
            'live_view = neurobot.monitoring.live_view_node:main',
            'maze_markers = neurobot.monitoring.markers_node:main',
            'spike_raster = neurobot.monitoring.raster_node:main',
            'pong_world = experiments.pong.world_node:main',
        ],
        'neurobot.experiments': [
            'maze = experiments.maze.experiment:EXPERIMENT',
            'pong = experiments.pong.experiment:EXPERIMENT',
            'wander = experiments.wander.experiment:EXPERIMENT',
        ],
    },
)
