"""``eval "$(neurobot env)"`` lets a user's own terminal see the nodes.

The terminal is a login-like shell whose environment has none of the DDS settings
neurobot gives its nodes; after the eval, a plain rclpy program there (one that does not
call neurobot's own DDS set-up, like ``ros2 node list``) sees a running node. The
terminal never runs DDS without the repository's local-only profile.
"""

import os
import subprocess
import sys

import pytest

from neurobot.dds import local_dds_environment, shell_exports
from neurobot.paths import share_path
from ros_helpers import NodeProcess, VENV_BIN

pytestmark = pytest.mark.node

DDS_VARIABLES = ('RMW_IMPLEMENTATION', 'FASTDDS_DEFAULT_PROFILES_FILE',
                 'ROS_AUTOMATIC_DISCOVERY_RANGE', 'SKIP_DEFAULT_XML_FILE', 'AMENT_PREFIX_PATH',
                 'NEUROBOT_DDS')
LIST_NODES = '''
import os, time, rclpy
assert os.environ["FASTDDS_DEFAULT_PROFILES_FILE"].endswith("fastdds_localhost.xml")
rclpy.init()
node = rclpy.create_node("users_terminal")
deadline = time.monotonic() + 20
while time.monotonic() < deadline and "world" not in node.get_node_names():
    rclpy.spin_once(node, timeout_sec=0.2)
print(" ".join(sorted(node.get_node_names())))
'''


def test_exports_match_what_the_nodes_use(tmp_path):
    lines = shell_exports(environ={'AMENT_PREFIX_PATH': '/opt/ros/kilted',
                                   'ROS_DOMAIN_ID': '42'}, prefix=sys.prefix).splitlines()
    exports = dict(line.removeprefix('export ').split('=', 1) for line in lines)
    for name, value in local_dds_environment().items():
        assert exports[name] == value
    assert exports['ROS_DOMAIN_ID'] == '42'
    assert exports['AMENT_PREFIX_PATH'] == f'{sys.prefix}:/opt/ros/kilted'
    # a user who opted out keeps the system's DDS settings
    assert 'FASTDDS' not in shell_exports(environ={'NEUROBOT_DDS': 'system'})


def test_a_terminal_that_evals_neurobot_env_sees_the_nodes(ros_domain, tmp_path):
    maze = share_path('experiments', 'maze', 'mazes', 'default.yaml')
    world = NodeProcess('world_node', '-p', 'stepped:=true', '-p', f'maze:={maze}',
                        log_dir=tmp_path)
    terminal = {k: v for k, v in os.environ.items() if k not in DDS_VARIABLES}
    script = tmp_path / 'list_nodes.py'
    script.write_text(LIST_NODES)
    try:
        result = subprocess.run(
            ['bash', '-c', f'eval "$({VENV_BIN / "neurobot"} env)" && '
                           f'exec {sys.executable} {script}'],
            env=terminal, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    finally:
        world.stop()
    assert result.returncode == 0, result.stderr
    assert 'world' in result.stdout.split(), (result.stdout, world.output()[-1000:])
