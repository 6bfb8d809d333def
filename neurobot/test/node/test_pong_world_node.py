"""Node test: the pong world as its own process in lockstep, driven by a test participant.

The test takes part in lockstep as the transfer phase (a stand-in for the players),
sends paddle commands (one of them invalid) and reads the world's state: one game step
per round from round 2 on, each command applied in the round after it was sent, the
invalid one logged and ignored, the run ended after ``iterations``.
"""

from pathlib import Path
import sys

import pytest
from std_msgs.msg import Float64MultiArray, Int8

from ros_helpers import LockstepObserver, NodeProcess

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from experiments.pong import state as pong_state  # noqa: E402
from experiments.pong.game import PADDLE_SPEED, PADDLE_START_Y  # noqa: E402

pytestmark = pytest.mark.node

ITERATIONS = 4
COMMANDS = {1: 1, 2: 5, 3: -1, 4: -1}  # round -> left command sent in it (5 is refused)


def test_world_steps_per_round_applies_commands_and_ignores_bad_ones(ros_domain, tmp_path):
    states = []
    observer = LockstepObserver(ros_domain, ['world'], ['players'], name='players',
                                step_ms=200.0)
    paddle = observer.publisher(Int8, 'left/paddle')
    observer.subscribe(Float64MultiArray, 'pong/state', states)

    def send(round_):
        if round_ in COMMANDS:
            observer.publish(paddle, Int8(data=COMMANDS[round_]))
    observer._on_round = send
    observer.start()
    world = NodeProcess('pong_world', '-p', 'seed:=5', '-p', f'iterations:={ITERATIONS}',
                        '-p', 'lockstep:=true', '-p', 'lockstep_name:=world',
                        '-p', 'lockstep_simulation:=[world]',
                        '-p', 'lockstep_transfer:=[players]', log_dir=tmp_path)
    try:
        assert observer.spin_until(lambda: not world.alive(), 60), world.output()
        assert world.wait(5) == 0, world.output()
    finally:
        world.stop()
        observer.close()
    decoded = [pong_state.decode(m.data) for m in states]
    assert [s.round for s in decoded] == list(range(1, ITERATIONS + 2))
    assert [s.steps for s in decoded] == [0] + list(range(1, ITERATIONS + 1))
    # the command of round r is applied in round r + 1; the refused 5 leaves the paddle
    assert [s.left_move for s in decoded] == [0, 1, 0, -1, -1]
    heights = [s.left_paddle_y for s in decoded]
    expected = [PADDLE_START_Y + PADDLE_SPEED * k for k in (0, 1, 1, 0, -1)]
    assert heights == pytest.approx(expected, abs=1e-12)
    assert [s.right_move for s in decoded] == [0] * len(decoded)  # nobody sent right
    assert [s.right_paddle_y for s in decoded] == [PADDLE_START_Y] * len(decoded)
    assert len({(s.ball_x, s.ball_y) for s in decoded}) == len(decoded)
    log = world.output()
    assert 'command ignored' in log and 'got 5' in log
