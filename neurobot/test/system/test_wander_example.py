"""The "write your own experiment" page's example (experiments/wander/) works as it says.

docs/write_an_experiment.md promises a complete experiment (a brain, one transfer
function, a world) in well under 100 lines that `neurobot launch wander` runs. These
tests hold it to that: the files' size, the registration, and a real run (world,
brain and tf_node as processes over DDS, recorded) in which the robot wanders without
touching a wall of an arena it would cross in a few seconds driving straight.
"""

import os
from pathlib import Path
import subprocess
import sys

import numpy as np
import pytest

from neurobot.paths import share_path

EXAMPLE = share_path('experiments', 'wander')
NEUROBOT = Path(sys.executable).with_name('neurobot')
DURATION_S = 20.0  # s of simulated time
ARENA_M = 2.4  # m, side of the arena (4 cells of 0.6 m)


def test_the_example_is_well_under_100_lines():
    files = [p for p in EXAMPLE.iterdir() if p.is_file()]
    lines = sum(len(p.read_text().splitlines()) for p in files)
    assert {p.name for p in files} >= {'brain.py', 'transfer_function.py', 'experiment.py',
                                       'arena.yaml', 'wander.launch.py'}
    assert lines <= 100, f'the example has grown to {lines} lines'


def test_the_example_is_registered():
    listing = subprocess.run([str(NEUROBOT), 'experiments'], capture_output=True, text=True,
                             timeout=60, check=True).stdout
    assert any(line.split()[0] == 'wander' for line in listing.splitlines())


@pytest.mark.node
@pytest.mark.slow
def test_the_robot_wanders_without_touching_a_wall(ros_domain, tmp_path):
    from mcap.reader import make_reader
    from mcap_ros2.decoder import DecoderFactory

    from neurobot.analysis.recording import load_recording
    result = subprocess.run(
        [str(NEUROBOT), 'launch', 'wander', f'duration_s:={DURATION_S}', 'record:=true',
         'monitoring:=false', f'run_dir:={tmp_path}'],
        capture_output=True, text=True, timeout=300, env=dict(os.environ))
    assert result.returncode == 0, (result.stdout[-3000:], result.stderr[-3000:])
    recording = tmp_path / 'recording.mcap'
    pose = load_recording(recording).require('ground_truth')
    assert pose.t_ns.max() >= (DURATION_S - 0.1) * 1e9, 'the run ended early'
    travelled_m = np.hypot(np.diff(pose.x_m), np.diff(pose.y_m)).sum()
    # driving straight at the example's top speed (0.25 m/s) it would cross the arena
    # in under 10 s, so twice that long without a touch means it turned away from walls
    assert travelled_m > ARENA_M, f'the robot hardly moved ({travelled_m:.2f} m)'
    assert np.ptp(np.unwrap(pose.yaw_rad)) > np.pi / 2, 'the robot never turned'
    touched = rounds = 0
    with open(recording, 'rb') as stream:
        reader = make_reader(stream, decoder_factories=[DecoderFactory()])
        for _, _, _, contacts in reader.iter_decoded_messages(topics=['/contacts']):
            touched += contacts.touched
            rounds += 1
    assert rounds >= DURATION_S / 0.05, f'only {rounds} contact reports recorded'
    assert touched == 0, f'the robot touched a wall in {touched} rounds'


def test_the_page_shows_the_files_as_they_are():
    page = (Path(__file__).resolve().parents[3] / 'docs' / 'write_an_experiment.md').read_text()
    shown = {}
    for block in page.split('```')[1::2]:
        lines = block.split('\n')
        if len(lines) > 1 and lines[1].startswith('# experiments/wander/'):
            shown[lines[1].removeprefix('# experiments/wander/')] = '\n'.join(lines[2:])
    assert set(shown) == {'brain.py', 'transfer_function.py', 'experiment.py',
                          'wander.launch.py'}
    for name, text in shown.items():
        assert text == (EXAMPLE / name).read_text(), f'the page shows an old {name}'
