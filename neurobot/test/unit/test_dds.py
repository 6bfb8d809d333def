"""Unit tests of the local-only DDS configuration (environment only, no DDS started)."""

from pathlib import Path
import xml.etree.ElementTree as ET

from neurobot import dds

NS = {'f': 'http://www.eprosima.com'}


def test_local_profile_is_applied_and_overrides_a_shell_discovery_range():
    env = {'ROS_AUTOMATIC_DISCOVERY_RANGE': 'LOCALHOST'}
    assert dds.configure_local_dds(env)
    assert Path(env['FASTDDS_DEFAULT_PROFILES_FILE']).is_file()
    assert env['ROS_AUTOMATIC_DISCOVERY_RANGE'] == 'SYSTEM_DEFAULT'
    assert env['RMW_IMPLEMENTATION'] == 'rmw_fastrtps_cpp'


def test_users_can_opt_out_or_bring_their_own_profile():
    env = {'NEUROBOT_DDS': 'system'}
    assert not dds.configure_local_dds(env)
    assert 'FASTDDS_DEFAULT_PROFILES_FILE' not in env
    env = {'FASTDDS_DEFAULT_PROFILES_FILE': '/etc/mine.xml'}
    assert not dds.configure_local_dds(env)
    assert env['FASTDDS_DEFAULT_PROFILES_FILE'] == '/etc/mine.xml'


def test_profile_uses_only_shared_memory_and_loopback():
    env = {}
    dds.configure_local_dds(env)
    root = ET.parse(env['FASTDDS_DEFAULT_PROFILES_FILE']).getroot()
    participant = root.find('.//f:participant', NS)
    assert participant.find('.//f:useBuiltinTransports', NS).text == 'false'
    kinds = {t.find('f:type', NS).text for t in root.iterfind('.//f:transport_descriptor', NS)}
    assert kinds == {'SHM', 'UDPv4'}
    addresses = {a.text for a in root.iterfind('.//f:address', NS)}
    addresses |= {i.get('name') for i in root.iterfind('.//f:interface', NS)}
    assert addresses == {'127.0.0.1'}
    assert root.find('.//f:metatrafficMulticastLocatorList', NS) is None
