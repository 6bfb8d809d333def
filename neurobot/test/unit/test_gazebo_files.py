"""Unit tests of the Gazebo files: generated SDF world, robot URDF and bridge YAML.

No Gazebo is needed: the files are parsed as XML/YAML and checked against the maze
(the geometric truth), the MuJoCo robot parameters and each other. Where Debian's
sdformat and its ``ign sdf`` command are installed (``scripts/install_test_tools.sh``,
run by ``.ci/run``), the real SDFormat parser validates the world and the URDF too, with
``SDF_PATH`` pointing at the repository so that ``model://neurobot/...`` resolves as
``GZ_SIM_RESOURCE_PATH`` makes it resolve under gz-sim.
"""

import math
import os
from pathlib import Path
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest
import yaml

from neurobot.world.maze import Maze
from neurobot.world.mjcf import RobotParams
from neurobot.world.sdf import (DEFAULT_ROBOT_URI, build_sdf, parse_includes, parse_wall_boxes,
                                world_name)

PKG = Path(__file__).resolve().parents[2]
DEFAULT_YAML = PKG / 'experiments' / 'maze' / 'mazes' / 'default.yaml'
LARGE_YAML = PKG / 'experiments' / 'maze' / 'mazes' / 'large.yaml'
WORLD_SDF = PKG / 'worlds' / 'maze_default.sdf'
ROBOT_URDF = PKG / 'urdf' / 'omni_robot.urdf'
BRIDGE_YAML = PKG / 'config' / 'gz_bridge.yaml'
# Published by gz-sim itself, not declared in any file.
GZ_BUILTIN_TOPICS = {'/clock'}


@pytest.fixture(scope='module')
def maze():
    return Maze.from_yaml(DEFAULT_YAML)


@pytest.fixture(scope='module')
def world_root():
    return ET.parse(WORLD_SDF).getroot()


@pytest.fixture(scope='module')
def urdf_root():
    return ET.parse(ROBOT_URDF).getroot()


@pytest.fixture(scope='module')
def bridge():
    return yaml.safe_load(BRIDGE_YAML.read_text(encoding='utf-8'))


def boxes_close(a, b, tol=1e-6):
    return len(a) == len(b) and all(
        all(abs(x - y) <= tol for x, y in zip(
            (p.center_x_m, p.center_y_m, p.size_x_m, p.size_y_m, p.height_m),
            (q.center_x_m, q.center_y_m, q.size_x_m, q.size_y_m, q.height_m)))
        for p, q in zip(a, b))


# ---------------------------------------------------------------- SDF world
def test_committed_world_is_fresh(maze):
    expected = build_sdf(maze)
    assert WORLD_SDF.read_text(encoding='utf-8') == expected, (
        'worlds/maze_default.sdf is stale; regenerate with: python -m neurobot.world.sdf '
        'experiments/maze/mazes/default.yaml -o worlds/maze_default.sdf')


def test_sdf_walls_match_the_maze(maze):
    walls = parse_wall_boxes(WORLD_SDF.read_text(encoding='utf-8'))
    assert boxes_close(walls, maze.wall_boxes())
    large = Maze.from_yaml(LARGE_YAML)
    assert boxes_close(parse_wall_boxes(build_sdf(large)), large.wall_boxes())
    assert not boxes_close(parse_wall_boxes(build_sdf(large)), maze.wall_boxes())


def test_sdf_has_the_systems_and_scene(world_root, maze):
    world = world_root.find('world')
    assert world.get('name') == world_name(maze)
    plugins = {p.get('name'): p for p in world.findall('plugin')}
    for name in ('Physics', 'UserCommands', 'SceneBroadcaster', 'Sensors', 'Contact'):
        assert f'gz::sim::systems::{name}' in plugins
    assert plugins['gz::sim::systems::Sensors'].findtext('render_engine') == 'ogre2'
    assert float(world.findtext('physics/max_step_size')) == pytest.approx(0.001)
    assert world.find('light[@name="sun"]') is not None
    assert world.find('model[@name="ground_plane"]/link/collision/geometry/plane') is not None
    walls = world.find('model[@name="maze_walls"]')
    assert walls.findtext('static') == 'true'
    assert len(walls.findall('link/visual')) == len(walls.findall('link/collision'))


def test_sdf_includes_robot_at_first_start(maze):
    (inc,) = parse_includes(WORLD_SDF.read_text(encoding='utf-8'))
    assert inc['uri'] == DEFAULT_ROBOT_URI
    x, y = maze.cell_to_world(maze.start_cells[0])
    assert inc['pose'][:2] == pytest.approx([x, y])
    # model://neurobot/<path> resolves to <share>/neurobot/<path>: the file must ship.
    assert (PKG / inc['uri'].removeprefix('model://neurobot/')).is_file()
    assert parse_includes(build_sdf(maze, include_robot=False)) == []


def test_sdf_parser_rejects_foreign_files():
    with pytest.raises(ValueError, match='maze_walls'):
        parse_wall_boxes('<sdf version="1.9"><world name="w"/></sdf>')
    with pytest.raises(ValueError, match='XML'):
        parse_wall_boxes('not xml')
    with pytest.raises(ValueError, match='physics_dt_ms'):
        build_sdf(Maze.from_yaml(DEFAULT_YAML), physics_dt_ms=-1)


# ---------------------------------------------------------------- URDF
def test_urdf_frames_match_the_mujoco_robot(urdf_root, maze):
    robot = RobotParams()
    assert urdf_root.tag == 'robot' and urdf_root.get('name') == 'omni_robot'
    links = {link.get('name'): link for link in urdf_root.findall('link')}
    assert set(links) == {'base_link', 'laser_link'}
    cyl = links['base_link'].find('collision/geometry/cylinder')
    assert float(cyl.get('radius')) == pytest.approx(robot.radius_m)
    assert float(links['base_link'].find('inertial/mass').get('value')) == pytest.approx(
        robot.mass_kg)
    (joint,) = urdf_root.findall('joint')
    assert joint.get('type') == 'fixed'
    assert joint.find('parent').get('link') == 'base_link'
    assert joint.find('child').get('link') == 'laser_link'
    lidar_z = float(joint.find('origin').get('xyz').split()[2])
    assert lidar_z == pytest.approx(robot.lidar_height_m)
    assert lidar_z < maze.wall_height_m  # rays must hit the walls
    # The base floats above the floor so the bumper only ever touches walls.
    base_z, half_h = 0.095, float(cyl.get('length')) / 2
    assert float(links['base_link'].find('collision/origin').get('xyz').split()[2]) == base_z
    assert base_z - half_h > 0
    base_ext = urdf_root.find('gazebo[@reference="base_link"]')
    assert base_ext.findtext('gravity') == 'false'


def test_urdf_lidar_covers_360_degrees(urdf_root):
    sensor = urdf_root.find('gazebo[@reference="laser_link"]/sensor')
    assert sensor.get('type') == 'gpu_lidar'
    horizontal = sensor.find('lidar/scan/horizontal')
    samples = int(horizontal.findtext('samples'))
    lo, hi = float(horizontal.findtext('min_angle')), float(horizontal.findtext('max_angle'))
    assert samples >= 16
    step = (hi - lo) / (samples - 1)  # gz places the first and last sample on the limits
    assert lo == pytest.approx(-math.pi)
    assert samples * step == pytest.approx(2 * math.pi, abs=1e-6)
    assert sensor.findtext('gz_frame_id') == 'laser_link'
    assert float(sensor.findtext('lidar/range/max')) >= 10.0


def test_urdf_contact_sensor_and_plugins(urdf_root):
    bumper = urdf_root.find('gazebo[@reference="base_link"]/sensor[@type="contact"]')
    # URDF->SDF names the unnamed collision of base_link "base_link_collision".
    assert bumper.findtext('contact/collision') == 'base_link_collision'
    assert urdf_root.find('link[@name="base_link"]/collision').get('name') is None
    plugins = {p.get('name'): p for p in urdf_root.findall('gazebo/plugin')}
    vel = plugins['gz::sim::systems::VelocityControl']
    assert vel.get('filename') == 'gz-sim-velocity-control-system'
    odom = plugins['gz::sim::systems::OdometryPublisher']
    assert odom.get('filename') == 'gz-sim-odometry-publisher-system'
    assert odom.findtext('dimensions') == '2'
    assert odom.findtext('robot_base_frame') == 'base_link'


# ---------------------------------------------------------------- bridge
def declared_gz_topics(*roots):
    """Gazebo topic names the files publish or subscribe (sensor and plugin topic elements)."""
    names = set()
    for root in roots:
        for tag in ('topic', 'odom_topic', 'tf_topic', 'odom_covariance_topic'):
            names.update((e.text or '').strip() for e in root.iter(tag))
    names.discard('')
    return names


def test_bridge_entries_are_well_formed(bridge):
    assert isinstance(bridge, list) and bridge
    keys = {'ros_topic_name', 'gz_topic_name', 'ros_type_name', 'gz_type_name', 'direction'}
    for entry in bridge:
        assert set(entry) == keys, entry
        assert entry['direction'] in ('GZ_TO_ROS', 'ROS_TO_GZ')
        assert entry['ros_topic_name'].startswith('/')
        assert entry['gz_type_name'].startswith('gz.msgs.')
    assert len({e['ros_topic_name'] for e in bridge}) == len(bridge)


@pytest.mark.parametrize('ros_topic, ros_type, gz_type, direction', [
    ('/clock', 'rosgraph_msgs/msg/Clock', 'gz.msgs.Clock', 'GZ_TO_ROS'),
    ('/cmd_vel', 'geometry_msgs/msg/Twist', 'gz.msgs.Twist', 'ROS_TO_GZ'),
    ('/odom', 'nav_msgs/msg/Odometry', 'gz.msgs.Odometry', 'GZ_TO_ROS'),
    ('/scan', 'sensor_msgs/msg/LaserScan', 'gz.msgs.LaserScan', 'GZ_TO_ROS'),
    ('/contacts', 'ros_gz_interfaces/msg/Contacts', 'gz.msgs.Contacts', 'GZ_TO_ROS'),
    ('/ground_truth/tf', 'tf2_msgs/msg/TFMessage', 'gz.msgs.Pose_V', 'GZ_TO_ROS'),
])
def test_bridge_has_required_topics(bridge, ros_topic, ros_type, gz_type, direction):
    (entry,) = [e for e in bridge if e['ros_topic_name'] == ros_topic]
    assert (entry['ros_type_name'], entry['gz_type_name'], entry['direction']) == (
        ros_type, gz_type, direction)


def test_every_bridged_gz_topic_exists(bridge, world_root, urdf_root):
    declared = declared_gz_topics(world_root, urdf_root) | GZ_BUILTIN_TOPICS
    missing = [e['gz_topic_name'] for e in bridge if e['gz_topic_name'] not in declared]
    assert not missing, f'bridged gz topics not in the SDF/URDF: {missing}'
    assert '/model/omni_robot/cmd_vel' in declared_gz_topics(urdf_root)


IGN = shutil.which('ign')
NO_SDFORMAT = ('the SDFormat parser (ign sdf, Debian packages libsdformat-dev ignition-tools '
               'ruby) is not installed: run scripts/install_test_tools.sh')


def ign_sdf(option, path, tmp_path, sdf_path=PKG.parent):
    """Run ``ign sdf <option> <path>`` outside the repository; return (exit code, output)."""
    env = {k: v for k, v in os.environ.items() if k not in ('SDF_PATH', 'GZ_SIM_RESOURCE_PATH',
                                                           'IGN_GAZEBO_RESOURCE_PATH')}
    if sdf_path is not None:
        env['SDF_PATH'] = str(sdf_path)
    result = subprocess.run([IGN, 'sdf', option, str(path)], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    output = '\n'.join(line for line in (result.stdout + result.stderr).splitlines()
                       if 'libignition-tools-backward' not in line)  # a Debian packaging note
    return result.returncode, output


@pytest.mark.skipif(IGN is None, reason=NO_SDFORMAT)
@pytest.mark.parametrize('path', [WORLD_SDF, ROBOT_URDF], ids=['world', 'robot'])
def test_sdformat_parser_validates_the_file(path, tmp_path):
    code, output = ign_sdf('-k', path, tmp_path)
    assert code == 0 and output.strip() == 'Valid.', output


@pytest.mark.skipif(IGN is None, reason=NO_SDFORMAT)
def test_sdformat_parser_resolves_the_robot_into_the_world(tmp_path):
    code, output = ign_sdf('-p', WORLD_SDF, tmp_path)
    assert code == 0 and 'Error' not in output, output
    assert "<model name='omni_robot'>" in output  # the URDF, converted and included
    assert "<sensor name='lidar' type='gpu_lidar'>" in output
    assert "<sensor name='bumper' type='contact'>" in output
    # without SDF_PATH the include cannot resolve: the check above is not vacuous
    code, output = ign_sdf('-p', WORLD_SDF, tmp_path, sdf_path=None)
    assert 'Unable to find uri[model://neurobot/urdf/omni_robot.urdf]' in output, output


@pytest.mark.skipif(IGN is None, reason=NO_SDFORMAT)
def test_sdformat_parser_refuses_a_broken_world(tmp_path):
    broken = tmp_path / 'broken.sdf'
    text = WORLD_SDF.read_text()
    broken.write_text(text.replace('<world name=', '<world><x/></world><world name=', 1))
    code, output = ign_sdf('-k', broken, tmp_path)
    assert code != 0 and 'Error' in output, output
