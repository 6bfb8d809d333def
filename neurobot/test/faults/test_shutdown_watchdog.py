"""A node whose teardown hangs still exits soon after Ctrl-C, and says where it hung.

:func:`neurobot.lockstep_participant.run_node` arms faulthandler's watchdog around the
rclpy teardown: a hang there (seen once in CI, cause unknown) must not hold up the
launcher until it kills the node without a word. Real rclpy node, real process, real
SIGINT; only the hang is staged (``destroy_node`` sleeps).
"""

import signal
import subprocess
import sys
import textwrap
import time

import pytest

from neurobot.lockstep_participant import SHUTDOWN_GRACE_S

pytestmark = [pytest.mark.node]

NODE = textwrap.dedent('''
    import sys, time
    from rclpy.node import Node
    from neurobot.lockstep_participant import run_node

    class Stuck(Node):
        def __init__(self):
            super().__init__('stuck_teardown')
            self.create_timer(0.05, self.tick)
            self.ticked = False

        def tick(self):
            if not self.ticked:
                print('spinning', file=sys.stderr, flush=True)
                self.ticked = True

        def destroy_node(self):
            if HANG:
                time.sleep(120)  # a teardown that never returns
            super().destroy_node()

    HANG = sys.argv[1] == 'hang'
    sys.exit(run_node('stuck', Stuck, farewell=lambda node: 'stopped'))
''')


def run_until_spinning(tmp_path, mode):
    script = tmp_path / 'stuck_node.py'
    script.write_text(NODE)
    process = subprocess.Popen([sys.executable, str(script), mode], stderr=subprocess.PIPE,
                               text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if 'spinning' in line or not line:
            break
    assert process.poll() is None, process.stderr.read()
    return process


@pytest.mark.parametrize('mode', ['hang', 'clean'])
def test_ctrl_c_ends_a_node_whose_teardown_hangs_with_its_stack(ros_domain, tmp_path, mode):
    process = run_until_spinning(tmp_path, mode)
    try:
        process.send_signal(signal.SIGINT)
        start = time.monotonic()
        _, err = process.communicate(timeout=SHUTDOWN_GRACE_S + 20)
        took = time.monotonic() - start
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert 'stuck: stopped' in err, err  # the farewell comes before the teardown
    if mode == 'clean':
        assert process.returncode == 0, err
        assert 'Timeout' not in err, err
        assert took < SHUTDOWN_GRACE_S, f'a clean teardown took {took:.1f} s'
    else:
        # faulthandler's dump: the hung frame is named, the status says it was not clean
        assert process.returncode == 1, err
        assert 'Timeout' in err and 'destroy_node' in err, err
        assert SHUTDOWN_GRACE_S <= took < SHUTDOWN_GRACE_S + 5.0, f'took {took:.1f} s'
