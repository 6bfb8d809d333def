"""System test of the real-robot bring-up: wall-clock brain, unchanged transfer functions.

``neurobot launch maze use_sim_time:=false robot:=<file>`` starts no world: the brain
steps on wall-clock time and the maze transfer function talks to whatever robot answers
on the topics the robot file names. The robot here is the embedded world running freely
in real time in its own namespace (``/robot1``), a stand-in for a robot driver: it
publishes standard odometry and takes ``cmd_vel``, and it reports wall contacts, which a
real robot could not, so the test can check the robot never touched a wall.
"""

import os
from pathlib import Path
import subprocess
import sys

import pytest
from geometry_msgs.msg import PoseStamped

from neurobot import qos
from experiments.maze.results import RunDirectory
from neurobot.paths import share_path
from neurobot.world.maze import Maze
from neurobot_interfaces.msg import Contacts
from ros_helpers import NodeProcess, RosClient

pytestmark = [pytest.mark.node, pytest.mark.slow]

SMALL_MAZE = share_path('experiments', 'maze', 'mazes', 'small.yaml')
NEUROBOT = Path(sys.executable).with_name('neurobot')
ROBOT_FILE = """
remappings:
  cmd_vel: /robot1/cmd_vel
  odom: /robot1/odom
  scan: /robot1/scan
maze_origin_in_odom: [0.0, 0.0, 0.0]   # the stand-in's odometry frame is the maze frame
speed_mps: 1.0
"""


def test_the_maze_runs_on_wall_clock_time_against_a_robot_on_remapped_topics(ros_domain,
                                                                              tmp_path):
    maze = Maze.from_yaml(SMALL_MAZE)
    robot_file = tmp_path / 'robot.yaml'
    robot_file.write_text(ROBOT_FILE)
    run = RunDirectory(tmp_path / 'run')
    client = RosClient(ros_domain)
    contacts, poses = [], []
    client.node.create_subscription(Contacts, '/robot1/contacts', contacts.append, qos.EVENTS)
    client.node.create_subscription(PoseStamped, '/robot1/ground_truth/pose', poses.append,
                                    qos.SENSOR)
    robot = NodeProcess('world_node', '-r', '__ns:=/robot1', '-p', f'maze:={SMALL_MAZE}',
                        '-p', 'stepped:=false', '-p', 'real_time_factor:=1.0',
                        log_dir=tmp_path, name='robot')
    launch_log = open(tmp_path / 'launch.log', 'w')
    launch = subprocess.Popen(
        [str(NEUROBOT), 'launch', 'maze', 'use_sim_time:=false', f'maze:={SMALL_MAZE}',
         f'robot:={robot_file}', 'episodes:=2', f'run_dir:={run.path}', 'seed:=1',
         'learner:=rstdp'],
        stdout=launch_log, stderr=subprocess.STDOUT, env=dict(os.environ),
        start_new_session=True)
    try:
        assert client.spin_until(lambda: launch.poll() is not None, 150), \
            'the real-robot run did not finish 2 episodes'
        log = (tmp_path / 'launch.log').read_text()
        assert launch.returncode == 0, log[-4000:]
    finally:
        if launch.poll() is None:
            launch.kill()
            launch.wait(10)
        launch_log.close()
        robot.stop()
        client.close()

    assert 'on wall-clock time' in log, 'the brain steps on wall-clock time'
    assert '[world]' not in log, 'no world node on a real robot'
    episodes = run.read_episodes()
    assert [int(row['episode']) for row in episodes] == [0, 1]
    # the robot really drove (through the remapped topics), cell to neighbouring cell
    cells = [maze.world_to_cell(p.pose.position.x, p.pose.position.y) for p in poses]
    visited = [c for i, c in enumerate(cells) if i == 0 or c != cells[i - 1]]
    assert len(visited) >= 3, visited
    assert all(b in maze.neighbours(a) for a, b in zip(visited, visited[1:])), visited
    # walls come from the maze file: a wrong decision ends the episode, not in a crash
    assert contacts, 'the robot stand-in published no contact reports'
    assert not any(c.touched for c in contacts), 'the robot touched a wall'
