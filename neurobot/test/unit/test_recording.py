"""Unit tests of the ROS-free recording core: type definitions, topic selection, MCAP file."""

from pathlib import Path

from mcap.records import Message
from mcap_ros2._dynamic import generate_dynamic, serialize_dynamic
from mcap_ros2.reader import read_ros2_messages
import pytest

from neurobot.recording.mcap_file import McapFile, RecordingError, complete_records, free_path
from neurobot.recording.ros_types import (SEPARATOR, field_type_names, message_definition,
                                          msg_file, normalize_type_name)
from neurobot.recording.topics import Offer, TopicSelection, subscription_policy

# ---------------------------------------------------------------------- type names and files


@pytest.mark.parametrize('given, expected', [
    ('sensor_msgs/msg/LaserScan', 'sensor_msgs/msg/LaserScan'),
    ('std_msgs/Header', 'std_msgs/msg/Header'),
    (' neurobot_interfaces/msg/PopulationSpikes ', 'neurobot_interfaces/msg/PopulationSpikes'),
])
def test_type_names_are_normalised(given, expected):
    assert normalize_type_name(given) == expected


@pytest.mark.parametrize('bad', ['LaserScan', 'std_srvs/srv/Empty', 'a/b/c/d', 'pkg/msg/', ''])
def test_bad_type_names_raise_saying_what_was_expected(bad):
    with pytest.raises(ValueError, match='expected a message type name'):
        normalize_type_name(bad)


def test_field_types_cover_arrays_bounds_same_package_header_and_skip_primitives():
    text = '\n'.join([
        '# a comment naming geometry_msgs/Point',
        'int32 FOO=3  # a constant',
        'string<=10 label',
        'uint8[] data',
        'Header header',
        'geometry_msgs/Point[] points',
        'geometry_msgs/msg/Point[3] corners',
        'Inner[<=4] inner',
        'builtin_interfaces/Time stamp',
        '',
    ])
    assert field_type_names('my_pkg', text) == [
        'std_msgs/msg/Header', 'geometry_msgs/msg/Point', 'my_pkg/msg/Inner',
        'builtin_interfaces/msg/Time']


def test_definition_lists_every_dependency_once_after_its_separator():
    texts = {'a/msg/Top': 'b/Mid m\na/Leaf l\nb/Mid again',
             'b/msg/Mid': 'a/Leaf l\nint32 x',
             'a/msg/Leaf': 'float64 v\n'}
    definition = message_definition('a/Top', read_text=texts.__getitem__)
    blocks = definition.split(SEPARATOR + '\n')
    assert blocks[0] == 'b/Mid m\na/Leaf l\nb/Mid again\n'
    assert [b.splitlines()[0] for b in blocks[1:]] == ['MSG: b/Mid', 'MSG: a/Leaf']
    assert definition.count('float64 v') == 1


def test_definition_of_installed_types_decodes_what_it_encodes():
    """mcap_ros2 (the independent reader) parses the text and round-trips a message."""
    name = 'neurobot_interfaces/msg/PopulationSpikes'
    definition = message_definition(name)
    assert definition.startswith(msg_file(name).read_text().rstrip('\n'))
    assert 'MSG: std_msgs/Header\n' in definition  # rosbag2's spelling, Foxglove's need
    assert 'MSG: builtin_interfaces/Time\n' in definition
    message = {'header': {'stamp': {'sec': 3, 'nanosec': 200_000_000}, 'frame_id': ''},
               'population': 'actions', 'step': 16, 'step_ms': 200.0, 'counts': [1, 0, 2],
               'spike_neurons': [0, 2, 2], 'spike_times_ms': [3001.0, 3050.5, 3199.9]}
    data = serialize_dynamic(name, definition)[name](message)
    decoded = generate_dynamic(name, definition)[name](data)
    assert decoded.population == 'actions' and decoded.step == 16
    assert decoded.header.stamp.nanosec == 200_000_000
    assert list(decoded.spike_times_ms) == message['spike_times_ms']
    for other in ('sensor_msgs/msg/LaserScan', 'nav_msgs/msg/Odometry',
                  'diagnostic_msgs/msg/DiagnosticArray', 'rcl_interfaces/msg/Log'):
        assert other in generate_dynamic(other, message_definition(other))


def test_msg_files_are_found_through_ament_prefix_path(tmp_path, monkeypatch):
    msg_dir = tmp_path / 'share' / 'my_pkg' / 'msg'
    msg_dir.mkdir(parents=True)
    (msg_dir / 'Thing.msg').write_text('int32 x\n')
    monkeypatch.setenv('AMENT_PREFIX_PATH', str(tmp_path))
    assert msg_file('my_pkg/msg/Thing') == msg_dir / 'Thing.msg'
    with pytest.raises(FileNotFoundError, match=r'my_pkg/msg/Missing.*share/my_pkg/msg'):
        msg_file('my_pkg/msg/Missing')


# ---------------------------------------------------------------------- topic selection

def test_empty_topic_list_takes_every_visible_topic():
    selection = TopicSelection([''], [''])
    assert selection.everything
    assert selection.wants('/scan') and selection.wants('/brain/actions/spikes')
    assert not selection.wants('/_hidden/thing')


def test_listed_topics_only_and_relative_names_are_absolute():
    selection = TopicSelection(['scan', '/odom'], [])
    assert selection.wants('/scan') and selection.wants('/odom')
    assert not selection.wants('/clock')


def test_exclusions_by_name_or_regex_win_over_the_list():
    selection = TopicSelection([], ['/brain/.*/rate_hz', 'rosout'])
    assert not selection.wants('/brain/actions/rate_hz')
    assert not selection.wants('/rosout')
    assert selection.wants('/brain/actions/spikes')
    assert not TopicSelection(['/rosout'], ['/rosout']).wants('/rosout')


def test_invalid_exclude_regex_raises_naming_it():
    with pytest.raises(ValueError, match=r"'/brain/\(' is neither"):
        TopicSelection([], ['/brain/('])


def test_subscription_matches_every_publisher():
    lockstep = Offer(reliable=True, transient_local=True)
    sensor = Offer(reliable=False, transient_local=False)
    assert subscription_policy([lockstep, lockstep]) == lockstep
    assert subscription_policy([lockstep, sensor]) == sensor
    assert subscription_policy([lockstep, Offer(True, False)]) == Offer(True, False)
    with pytest.raises(ValueError):
        subscription_policy([])


# ---------------------------------------------------------------------- the MCAP file

STRING = 'std_msgs/msg/String'


def string_cdr(text):
    definition = message_definition(STRING)
    return serialize_dynamic(STRING, definition)[STRING]({'data': text})


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_written_file_reads_back_message_for_message(tmp_path):
    path = tmp_path / 'run' / 'rec.mcap'  # missing directory is created
    recording = McapFile(path)
    recording.add_topic('/chatter', STRING, message_definition(STRING))
    recording.add_topic('/other', STRING, message_definition(STRING))
    for i in range(50):
        recording.write('/chatter' if i % 2 else '/other', string_cdr(f'm{i}'),
                        log_time_ns=1000 + i, publish_time_ns=900 + i)
    recording.close()
    recording.close()  # a second close does nothing
    read = list(read_ros2_messages(str(path)))
    assert [m.ros_msg.data for m in read] == [f'm{i}' for i in range(50)]
    assert [m.log_time_ns for m in read] == [1000 + i for i in range(50)]
    assert read[0].publish_time_ns == 900
    assert {m.schema.name for m in read} == {STRING}
    assert {m.schema.encoding for m in read} == {'ros2msg'}
    assert {m.channel.message_encoding for m in read} == {'cdr'}
    assert recording.message_counts == {'/chatter': 25, '/other': 25}
    assert recording.size_bytes == path.stat().st_size


def test_chunks_reach_the_disk_every_flush_period_so_a_hard_kill_loses_little(tmp_path):
    clock = FakeClock()
    path = tmp_path / 'rec.mcap'
    recording = McapFile(path, flush_period_s=1.0, clock=clock)
    recording.add_topic('/chatter', STRING, message_definition(STRING))
    for i in range(10):
        clock.now = i * 0.25
        recording.write('/chatter', string_cdr(f'm{i}'), log_time_ns=i)
    # no close(): read the file as a killed process leaves it, from the start
    on_disk = [r for r in complete_records(path) if isinstance(r, Message)]
    assert 5 <= len(on_disk) < 10  # everything up to the last flush (t = 1.0 s)
    recording.close()
    assert len(list(read_ros2_messages(str(path)))) == 10


def test_full_disk_raises_one_clear_error(tmp_path):
    with pytest.raises(RecordingError, match=r'/dev/full: No space left on device') as caught:
        McapFile('/dev/full')
    assert caught.value.path == Path('/dev/full')
    assert isinstance(caught.value.cause, OSError)


def test_unwritable_path_raises_naming_the_path(tmp_path):
    blocker = tmp_path / 'a_file'
    blocker.write_text('')
    with pytest.raises(RecordingError, match=r'cannot create the MCAP recording .*a_file/rec'):
        McapFile(blocker / 'rec.mcap')


def test_write_after_close_and_type_conflicts_are_refused(tmp_path):
    recording = McapFile(tmp_path / 'rec.mcap')
    recording.add_topic('/chatter', STRING, message_definition(STRING))
    recording.add_topic('/chatter', STRING, message_definition(STRING))  # same: fine
    with pytest.raises(ValueError, match='/chatter is recorded as std_msgs/msg/String'):
        recording.add_topic('/chatter', 'std_msgs/msg/Int32', 'int32 data\n')
    with pytest.raises(KeyError):
        recording.write('/undeclared', b'', 0)
    recording.close()
    with pytest.raises(RecordingError, match='closed'):
        recording.write('/chatter', string_cdr('late'), 1)


def test_bad_settings_raise_saying_what_was_expected(tmp_path):
    with pytest.raises(ValueError, match='compression must be one of'):
        McapFile(tmp_path / 'a.mcap', compression='gzip')
    with pytest.raises(ValueError, match='must be positive'):
        McapFile(tmp_path / 'b.mcap', flush_period_s=0)


def test_free_path_never_replaces_an_earlier_recording(tmp_path):
    path = tmp_path / 'recording.mcap'
    assert free_path(path) == path
    path.write_text('')
    assert free_path(path) == tmp_path / 'recording_1.mcap'
    (tmp_path / 'recording_1.mcap').write_text('')
    assert free_path(path) == tmp_path / 'recording_2.mcap'
    assert free_path('/dev/full') == Path('/dev/full')  # a device is no earlier recording


def test_offered_qos_profiles_are_written_as_rosbag2_writes_them():
    """YAML of rosbag2's format version 9 (policy names, durations as sec/nsec)."""
    import yaml

    from neurobot.recording.topics import INFINITE_DURATION_NS, offered_qos_profiles
    profile = {'history': 'keep_last', 'depth': 1, 'reliability': 'reliable',
               'durability': 'transient_local', 'liveliness': 'automatic',
               'deadline_ns': INFINITE_DURATION_NS, 'lifespan_ns': 1_500_000_000,
               'liveliness_lease_duration_ns': INFINITE_DURATION_NS,
               'avoid_ros_namespace_conventions': False}
    text = offered_qos_profiles([profile])
    assert text.splitlines()[:5] == ['- history: keep_last', '  depth: 1',
                                     '  reliability: reliable',
                                     '  durability: transient_local', '  deadline:']
    assert yaml.safe_load(text) == [{
        'history': 'keep_last', 'depth': 1, 'reliability': 'reliable',
        'durability': 'transient_local', 'deadline': {'sec': 9223372036, 'nsec': 854775807},
        'lifespan': {'sec': 1, 'nsec': 500_000_000}, 'liveliness': 'automatic',
        'liveliness_lease_duration': {'sec': 9223372036, 'nsec': 854775807},
        'avoid_ros_namespace_conventions': False}]
    assert offered_qos_profiles([]) == '[]'
