"""Pong's transfer function: one player between the pong world and its brain_node.

One tf_node per player runs this file in the player's namespace (``/left`` or
``/right``), beside that player's brain_node. Every lockstep round (one game step, 200
ms of brain time) it:

1. reads the motor spikes of the iteration the brain just played and picks the winner,
   the reward and the learning step (:class:`experiments.pong.player.PlayerRule`, the
   same rule as the offline runner): an R-STDP player reads ``input_to_motor`` with
   get_weights, applies the original's update from reward and eligibility in numpy and
   writes it back with set_weights; a dopamine player learns inside NEST and sends the
   reward current for the dopaminergic neurons (the brain file makes it a 32 ms pulse
   at the next iteration's start);
2. sends the paddle move towards the winner (``paddle``, std_msgs/Int8), from where the
   paddle is in the world's state of this round;
3. encodes the ball's row in that state as the next iteration's input spike train on
   ``brain/inputs/spike_input`` (times relative to the next step's start).

Between iterations nothing is reset, as in NEST's example (see
:mod:`experiments.pong.offline`): brain time runs on and the dopamine network's delayed
critic path carries the last iteration's value into the next.

The reward current is declared on the output ``reward``: the experiment remaps it onto
``brain/dopa/stimulus`` for dopamine players; an R-STDP player has no ``dopa``
population and publishes nothing there.

Parameters (tf_node ``params``): ``side`` ('left' or 'right'), ``player`` ('r', 'rn',
'd', 'dn'), ``player_seed`` (tie-breaking), ``run_dir`` (the per-iteration CSV
``<side>_rewards.csv`` is written there), ``step_ms``, ``iterations`` (the run's length:
rounds the brains play after it, while the world ends the run, are not recorded; 0:
no limit).
"""

import csv
from pathlib import Path

import numpy as np
from neurobot_interfaces.msg import PopulationInput, PopulationSpikes
from std_msgs.msg import Float64MultiArray, Int8

from experiments.pong import coding
from experiments.pong import state as pong_state
from experiments.pong.game import LEFT, RIGHT
from experiments.pong.player import MOTOR_PROJECTION, PlayerRule
from tf_nodes.api import Input, Output, SpikeTrains, transfer_function

CSV_FIELDS = ('iteration', 'round', 'row', 'winner', 'reward', 'mean_reward', 'paddle_row',
              'move')


def rewards_csv(run_dir, side: str) -> Path:
    """The per-iteration CSV of one player."""
    return Path(run_dir) / f'{side}_rewards.csv'


def start(state, params, log):
    """Set the player up from the tf_node's parameters and start its CSV (setup hook)."""
    side = params.get('side', LEFT)
    if side not in (LEFT, RIGHT):
        raise ValueError(f'parameter side must be {LEFT!r} or {RIGHT!r}, got {side!r}')
    state['side'] = side
    state['rule'] = PlayerRule(str(params.get('player', 'r')), int(params.get('player_seed', 1)))
    state['step_ms'] = float(params.get('step_ms', coding.ITERATION_MS))
    state['pending'] = None  # (row, train_ms, round the brain plays it in)
    state['iteration'] = 0
    state['iterations'] = int(params.get('iterations', 0))
    path = rewards_csv(params.get('run_dir', '.'), side)
    path.parent.mkdir(parents=True, exist_ok=True)
    state['csv_file'] = open(path, 'w', newline='')
    state['csv'] = csv.writer(state['csv_file'])
    state['csv'].writerow(CSV_FIELDS)
    state['csv_file'].flush()
    log.info(f'pong player {side}: {state["rule"].config}; rewards to {path}')


@transfer_function(
    inputs={'game': Input('/pong/state', Float64MultiArray),
            'motor': Input('brain/motor/spikes', PopulationSpikes)},
    outputs={'inputs': SpikeTrains('inputs'), 'paddle': Output('paddle', Int8),
             'reward': Output('reward', PopulationInput)},
    projections=(MOTOR_PROJECTION,), setup=start)
def play(t, game, motor, state, brain, log):
    if game is None:
        return None
    world = pong_state.decode(game.data)
    round_ = int(round(t * 1000.0 / state['step_ms']))
    rule, side = state['rule'], state['side']
    outputs = {}
    pending = state['pending']
    if state['iterations'] and state['iteration'] >= state['iterations']:
        return None  # the run is over; the world ends it
    if pending is not None and motor is not None:
        row, train_ms, played_in = pending
        if motor.step != played_in - 1:  # brain steps count from 0, rounds from 1
            raise RuntimeError(f'round {round_}: motor spikes of brain step {motor.step}, '
                               f'expected step {played_in - 1}; lockstep out of order')
        weights = None if rule.dopamine else brain.get_weights(MOTOR_PROJECTION)
        turn, new_weights = rule.learn(row, train_ms, np.asarray(motor.counts),
                                       np.asarray(motor.spike_neurons),
                                       np.asarray(motor.spike_times_ms), weights)
        if new_weights is not None:
            brain.set_weights(MOTOR_PROJECTION, new_weights)
        paddle_row = world.paddle_row(side)
        move = coding.paddle_move(turn.winner, paddle_row)
        outputs['paddle'] = Int8(data=move)
        state['iteration'] += 1
        state['csv'].writerow((state['iteration'], round_, row, turn.winner,
                               f'{turn.reward:.6g}', f'{turn.mean_reward:.6g}', paddle_row, move))
        state['csv_file'].flush()
    if rule.dopamine:  # the reward of the iteration just played, at the next one's start
        outputs['reward'] = PopulationInput(values=[rule.reward_current_na])
    row = world.ball_row
    start_ms = round_ * state['step_ms']  # the next brain step starts at this round's end
    train_ms, neurons, times_ms = rule.input_spikes(row, start_ms)
    outputs['inputs'] = (neurons, times_ms)
    state['pending'] = (row, train_ms, round_ + 1)
    return outputs
