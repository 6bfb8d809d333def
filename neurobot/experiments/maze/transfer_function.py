"""Transfer functions of the maze experiment (run by tf_node, in lockstep with world and brain).

One synchronous transfer function, called once per round when the brain's action spikes
arrive. It translates between the robot and the brain and drives the experiment:

- robot position (odometry) -> place-cell rates for the ``places`` population;
- action spikes -> a direction (winner-take-all) -> a ``Twist`` on ``cmd_vel`` that
  moves the robot one cell (closed loop on odometry; the move completes before the next
  decision);
- ``reset_brain`` (weights kept) before every decision; ``set_weights`` with the learned
  place->action weights after every episode; ``place_robot`` at a new start cell.

The populations are mapped by name (``tf_nodes.api.Spikes`` / ``Rates``): the function
receives the spikes of the round as arrays and returns the rates as arrays. The
experiment logic is ROS-free (experiments.maze.agent, experiments.maze.learning; the
place-cell code and winner-take-all it uses are tf_nodes.codes'); this file only
converts messages. Parameters (tf_node parameters): ``maze``, ``run_dir``, ``mode``
(train or evaluate), ``episodes``, ``max_moves`` (0 or absent: follow the maze),
``seed``, ``step_ms``, ``resume``; for a real robot (set by the bring-up with
``use_sim_time:=false`` from the robot file) ``walls`` (map), ``placement`` (drive),
``speed_mps`` and ``maze_origin_in_odom`` ([x_m, y_m, yaw_rad] of the maze origin in the
robot's odometry frame). The ``contacts`` input only exists in simulation; on a real
robot it never arrives and walls come from the maze file. ``odom`` is required: without
fresh odometry the function is not called and tf_node publishes a zero ``Twist`` on
``cmd_vel`` instead (see tf_nodes.api).
"""

import time

from geometry_msgs.msg import Twist
from nav_msgs.msg import Odometry
from neurobot_interfaces.msg import Contacts, PopulationSpikes

from experiments.maze.agent import AgentConfig, MazeAgent
from experiments.maze.results import RunDirectory
from neurobot.world.maze import Maze
from neurobot.world.planar import odom_to_maze
from tf_nodes.api import Input, Output, Rates, Spikes, transfer_function
from tf_nodes.robot import pose_2d, stamp_s, twist

PROJECTION = 'places_to_actions'
ACTION_GROUP_SIZE = 10  # neurons per direction in experiments/maze/brain.py


def start(state, brain, params, log):
    """Build the agent before the first call: weights from the brain or from a checkpoint."""
    maze = Maze.from_yaml(params['maze'])
    run = RunDirectory(params['run_dir'])
    evaluate = params.get('mode', 'train') == 'evaluate'
    config = AgentConfig(episodes=int(params.get('episodes', 100)),
                         max_moves=int(params.get('max_moves', 0)) or None,
                         walls=params.get('walls', 'physical'),
                         placement=params.get('placement', 'teleport'),
                         speed_mps=float(params.get('speed_mps', AgentConfig.speed_mps)))
    weights = brain.get_weights(PROJECTION)
    first_episode, rng, critic = 0, None, None
    checkpoint = run.load_checkpoint() if (evaluate or params.get('resume', False)) else None
    if evaluate and checkpoint is None:
        raise RuntimeError(f'mode evaluate needs {run.checkpoint} (run training first)')
    if checkpoint is not None:
        episodes_done, weights, critic, rng = checkpoint
        brain.set_weights(PROJECTION, weights)
        if not evaluate:
            first_episode = episodes_done
            run.truncate_after(episodes_done)
            log.info(f'resuming after episode {episodes_done} from {run.checkpoint}')
    agent = MazeAgent(maze, config, weights, ACTION_GROUP_SIZE, seed=int(params.get('seed', 1)),
                      step_ms=float(params['step_ms']), evaluate=evaluate,
                      first_episode=first_episode, rng=rng)
    if critic is not None:
        agent.critic.values[:] = critic
    state.update(agent=agent, run=run, evaluate=evaluate, wall_start=time.monotonic(),
                 recorded=len(agent.records))


@transfer_function(
    inputs={'step': Input('brain/actions/spikes', PopulationSpikes),  # its stamp: the round
            'actions': Spikes('actions', code='times'),  # the round's spikes as arrays
            'places': Spikes('places', code='times'),
            # required: never a motion command without (fresh) odometry
            'odom': Input('odom', Odometry, qos='robot', required=True),
            'contacts': Input('contacts', Contacts, keep='all')},
    outputs={'cmd': Output('cmd_vel', Twist, safe=Twist()),  # safe: stand still
             'place_rates': Rates('places'),
             'noise_rate': Rates('noise')},
    triggers=['step'], projections=[PROJECTION], setup=start)
def maze_experiment(step, actions, places, odom, contacts, state, brain, world, params, log,
                    stop):
    """One round of the maze experiment (see the module docstring)."""
    agent, run = state['agent'], state['run']
    # rounds from the brain step's own stamp (end of the step): on simulated time it is
    # the round's end; on wall-clock time it is one stamp per step, about step_ms apart,
    # while arrival times can bunch up (the agent only needs rounds to increase)
    round_ = int(round(stamp_s(step) * 1000.0 / float(params['step_ms'])))
    pose = pose_2d(odom)  # odom is required: the function is not called without it
    if 'maze_origin_in_odom' in params:  # a real robot: odometry starts where it booted
        pose = odom_to_maze(*pose, params['maze_origin_in_odom'])
    touched = any(c.touched for c in contacts)
    commands = agent.on_round(round_, pose, touched, actions, places)
    if commands.place_robot is not None:
        world.place_robot(commands.place_robot)
    if commands.reset_brain:
        brain.reset()
    if commands.set_weights is not None:
        brain.set_weights(PROJECTION, commands.set_weights)
    for record in agent.records[state['recorded']:]:
        now = time.monotonic()
        if state['evaluate']:
            log.info(f'evaluation from {record.start}: {record.outcome} after {record.moves} '
                     f'moves (shortest path {record.shortest_path})')
        else:
            run.append_episode(record, now - state['wall_start'])
            run.save_checkpoint(record.episode + 1, agent.weights, agent.critic.values, agent.rng)
        state['wall_start'] = now
    state['recorded'] = len(agent.records)
    outputs = {'cmd': None if commands.twist is None else twist(*commands.twist),
               'place_rates': commands.place_rates_hz,  # None: unchanged, nothing sent
               'noise_rate': commands.noise_rate_hz}
    if commands.finished:
        if state['evaluate']:
            run.write_evaluation(agent.records)
        stop('all episodes done')
    return outputs
