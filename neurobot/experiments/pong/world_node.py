"""pong_world: the pong game (:mod:`experiments.pong.game`) as a lockstep world node.

A thin node over :class:`experiments.pong.game.Pong`. It takes part in lockstep rounds
as the world (simulation phase, beside the players' brains; see
:mod:`neurobot.lockstep`): one round is one game step of ``step_ms`` (200 ms, the
original's iteration).

Round r: in round 1 the world publishes the initial state; from round 2 on it applies
the latest paddle command of each player received in the round before (none: the
paddle stays), plays one game step and publishes the new state, then /clock at
``r * step_ms``. A player's brain plays the state of round r in round r + 1 and its
transfer function sends the move in that round's transfer phase, so a decision
reaches the game in round r + 2: the paddle answers a ball one step further on than in
NEST's example, which stops the game while its networks play. The ball and the
players' rewards do not depend on it.

Parameters (read-only):
    seed (int, 1): seed of the serves.
    step_ms (float, 200): lockstep round length, ms.
    iterations (int, 0): stop the run (exit 0) once the players have played this many
        game states (0: never); the world then ends before round ``iterations + 2``,
        after the transfer functions finished the round that learns the last one.
    lockstep, lockstep_* : see neurobot.lockstep_participant (lockstep is required).

Topics (relative names, except /clock):
    pong/state     out  std_msgs/Float64MultiArray (layout: experiments.pong.state)
    left/paddle    in   std_msgs/Int8: -1 down, 0 stay, +1 up (the left player)
    right/paddle   in   std_msgs/Int8 (the right player)
    /clock         out  rosgraph_msgs/Clock

A command other than -1, 0, +1 is logged and ignored (the paddle stays); no message
takes the node down.
"""

import sys

import numpy as np
from rcl_interfaces.msg import IntegerRange, ParameterDescriptor
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from rclpy.node import Node
from rosgraph_msgs.msg import Clock
from std_msgs.msg import Float64MultiArray, Int8, MultiArrayDimension

from experiments.pong import state as pong_state
from experiments.pong.game import LEFT, NO_SCORE, RIGHT, STAY, Pong
from neurobot import qos
from neurobot.callback_guard import CallbackGuard
from neurobot.lockstep import SIMULATION
from neurobot.lockstep_participant import (LockstepParticipant, declare_lockstep_parameters,
                                           run_node)
from neurobot.parameters import declare_number
from neurobot.stamps import time_msg

STATE_TOPIC = 'pong/state'
SIDES = (LEFT, RIGHT)


def paddle_topic(side: str) -> str:
    return f'{side}/paddle'


class PongWorldNode(Node):
    """The pong game as a lockstep world (see the module docstring)."""

    def __init__(self, **kwargs):
        super().__init__('world', **kwargs)
        self.declare_parameter('seed', 1, ParameterDescriptor(
            description='Seed of the serves', read_only=True,
            integer_range=[IntegerRange(from_value=0, to_value=2**31 - 1, step=1)]))
        declare_number(self, 'step_ms', 200.0, 'Lockstep round length (one game step), ms',
                       1.0, 1000.0, read_only=True)
        self.declare_parameter('iterations', 0, ParameterDescriptor(
            description='Stop the run once the players played this many game states '
                        '(0: never)', read_only=True,
            integer_range=[IntegerRange(from_value=0, to_value=10**9, step=1)]))
        declare_lockstep_parameters(self)
        if not self.get_parameter('lockstep').value:
            raise ValueError('pong_world runs in lockstep only: give -p lockstep:=true and '
                             'the lockstep_* participant lists')
        step_ms = float(self.get_parameter('step_ms').value)
        self.iterations = int(self.get_parameter('iterations').value)
        self.game = Pong(np.random.default_rng(int(self.get_parameter('seed').value)))
        self.commands = {side: STAY for side in SIDES}  # received in the last round
        self.stop_reason = None

        group = MutuallyExclusiveCallbackGroup()
        self._guard = CallbackGuard(self.get_logger())
        self._state_pub = self.create_publisher(Float64MultiArray, STATE_TOPIC,
                                                qos.LOCKSTEP_DATA)
        self._clock_pub = self.create_publisher(Clock, '/clock', qos.CLOCK)
        self._state_msg = Float64MultiArray()
        self._state_msg.layout.dim = [MultiArrayDimension(
            label=pong_state.LABEL, size=len(pong_state.FIELDS), stride=len(pong_state.FIELDS))]
        self._paddle_subs = {
            side: self.create_subscription(
                Int8, paddle_topic(side), lambda msg, side=side: self._on_paddle(side, msg),
                qos.LOCKSTEP_DATA, callback_group=group)
            for side in SIDES}
        self._lockstep = LockstepParticipant(self, SIMULATION, step_ms, self._run_round, group)
        for subscription in self._paddle_subs.values():
            self._lockstep.track_input(subscription)
        for publisher in (self._state_pub, self._clock_pub):
            self._lockstep.track_output(publisher)
        self._step_ns = int(round(step_ms * 1e6))
        self.get_logger().info(
            f'pong world, seed {self.get_parameter("seed").value}, {step_ms:g} ms per game '
            f'step, {self.iterations or "endless"} iterations; in lockstep as '
            f'{self._lockstep.name!r}')
        self._lockstep.start()

    def _on_paddle(self, side: str, msg: Int8):
        with self._guard.topic(self._paddle_subs[side].topic_name, 'command ignored'):
            move = int(msg.data)
            if move not in (-1, 0, 1):
                raise ValueError(f'{side} paddle command must be -1 (down), 0 (stay) or +1 '
                                 f'(up), got {move}')
            self.commands[side] = move
        self._lockstep.received(self._paddle_subs[side].topic_name)

    def _run_round(self, round_: int):
        if self.iterations and round_ > self.iterations + 1:
            self.stop_reason = f'{self.iterations} iterations played'
            return
        outcome, moves = NO_SCORE, {side: STAY for side in SIDES}
        if round_ > 1:
            moves, self.commands = self.commands, {side: STAY for side in SIDES}
            for side, move in moves.items():
                self.game.set_move(side, move)
            outcome = self.game.step()
        self._state_msg.data = pong_state.encode(self.game, round_, outcome, moves)
        self._publish(self._state_pub, self._state_msg)
        self._publish(self._clock_pub, Clock(clock=time_msg(round_ * self._step_ns)))

    def _publish(self, publisher, msg):
        publisher.publish(msg)
        self._lockstep.sent(publisher.topic_name)


def main(args=None):
    """Run the pong world until Ctrl-C, the last iteration or a lockstep failure."""
    return run_node('pong_world', PongWorldNode, args,
                    farewell=lambda node: f'stopped after {node.game.steps} game steps, score '
                                          f'{node.game.score[LEFT]}:{node.game.score[RIGHT]}')


if __name__ == '__main__':
    sys.exit(main())
