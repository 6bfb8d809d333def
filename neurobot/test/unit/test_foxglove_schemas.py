"""The ros2msg schemas neurobot writes (MCAP recordings, the live view) parse in Foxglove.

Every type a neurobot run publishes is checked with the Python port of Foxglove's rules
and, where node and ``@foxglove/rosmsg`` are installed (``scripts/install_test_tools.sh``,
run by ``.ci/run``), with the real parser; the port is also checked against the real
parser on schemas it must refuse. The schemas of an actual recording and of the live
view's advertisements are checked in ``test/node/test_recorder_node.py`` and
``test/node/test_live_view_node.py``.
"""

from pathlib import Path

import pytest

from foxglove_rosmsg import check_schema, foxglove_parse, node_unavailable_reason
from neurobot.recording.ros_types import SEPARATOR, message_definition

REPO = Path(__file__).resolve().parents[3]
INTERFACES = sorted(f'neurobot_interfaces/msg/{p.stem}'
                    for p in (REPO / 'neurobot_interfaces' / 'msg').glob('*.msg'))
# Types of the topics of a maze run (recorded with record:=true, streamed by live_view).
PUBLISHED = sorted({
    *INTERFACES, 'rosgraph_msgs/msg/Clock', 'std_msgs/msg/Float64', 'std_msgs/msg/String',
    'std_msgs/msg/Int64', 'nav_msgs/msg/Odometry', 'sensor_msgs/msg/LaserScan',
    'sensor_msgs/msg/Image', 'geometry_msgs/msg/PoseStamped', 'geometry_msgs/msg/Twist',
    'diagnostic_msgs/msg/DiagnosticArray', 'visualization_msgs/msg/MarkerArray',
    'rcl_interfaces/msg/Log', 'rcl_interfaces/msg/ParameterEvent'})

# Schemas Foxglove refuses, each for one of its rules.
REFUSED = {
    # neurobot's old spelling: the field says std_msgs/Header, the MSG: line std_msgs/msg/Header
    'msg_line_with_msg': 'std_msgs/Header header\nint32 x\n' + SEPARATOR
                         + '\nMSG: std_msgs/msg/Header\nbuiltin_interfaces/Time stamp\n'
                           'string frame_id\n',
    'missing_dependency': 'geometry_msgs/Point p\n',
    'bad_field_name': 'int32 BadName\n',
    'bad_line': 'int32\n',
}


def _schemas():
    return {name: message_definition(name) for name in PUBLISHED}


def test_there_are_schemas_with_nested_types():
    schemas = _schemas()
    assert 'neurobot_interfaces/msg/PopulationSpikes' in schemas
    assert 'MSG: std_msgs/Header\n' in schemas['nav_msgs/msg/Odometry']


@pytest.mark.parametrize('type_name', PUBLISHED)
def test_schema_follows_foxglove_rules(type_name):
    check_schema(message_definition(type_name))


@pytest.mark.parametrize('case', sorted(REFUSED))
def test_the_python_rules_refuse_what_foxglove_refuses(case):
    with pytest.raises(ValueError):
        check_schema(REFUSED[case])


def test_schemas_parse_with_the_real_foxglove_parser():
    reason = node_unavailable_reason()
    if reason:
        pytest.skip(reason)
    assert foxglove_parse(_schemas()) == {}


def test_the_real_parser_refuses_the_same_schemas():
    """The Python port and @foxglove/rosmsg agree (a port that accepts more is no check)."""
    reason = node_unavailable_reason()
    if reason:
        pytest.skip(reason)
    errors = foxglove_parse(REFUSED)
    assert sorted(errors) == sorted(REFUSED), errors
    assert "Expected 1 top level type definition for 'std_msgs/Header'" in \
        errors['msg_line_with_msg']
