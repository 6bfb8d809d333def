"""Transfer function of the wander example: lidar -> eye rates, motor spikes -> Twist."""

import numpy as np
from geometry_msgs.msg import Twist
from sensor_msgs.msg import LaserScan

from tf_nodes.api import Input, Output, Rates, Spikes, transfer_function
from tf_nodes.robot import twist

N = 10  # neurons per eye and per motor group (brain.py)
NEAR_M = 0.6  # m, an eye sees walls nearer than this
EYE_RATE_HZ = 400.0  # Hz, rate of an eye touching a wall
SPEED_MPS = 0.25  # m/s, forward speed with nothing in sight
TURN_RAD_S = 0.03  # rad/s per spike of difference between the turn groups


def eye_rates_hz(scan: LaserScan) -> np.ndarray:
    """Per eye neuron: rate rising as the nearest wall ahead-left / ahead-right comes closer."""
    ranges = np.nan_to_num(np.asarray(scan.ranges), nan=np.inf)
    angles = scan.angle_min + scan.angle_increment * np.arange(ranges.size)
    left = ranges[(angles >= 0.0) & (angles < 1.2)].min()  # rad, ahead and to the left
    right = ranges[(angles < 0.0) & (angles > -1.2)].min()
    near = np.clip(1.0 - np.array([left, right]) / NEAR_M, 0.0, 1.0)
    return np.repeat(EYE_RATE_HZ * near, N)


@transfer_function(
    inputs={'scan': Input('scan', LaserScan, qos='robot', required=True),
            'motors': Spikes('motors')},  # spike counts per neuron over the last step
    outputs={'eyes': Rates('eyes'), 'cmd': Output('cmd_vel', Twist, safe=Twist())},
    triggers=['motors'])
def wander(scan, motors, t, params, stop):
    """See walls, turn away from them, keep going; stop after ``duration_s``."""
    if t >= params['duration_s']:
        stop(f'{t:.1f} s simulated')
    turn_right, turn_left = (motors[:N].sum(), motors[N:].sum()) if motors is not None \
        else (0, 0)
    slow = 1.0 / (1.0 + 0.2 * (turn_right + turn_left))  # slow down while turning
    return {'eyes': eye_rates_hz(scan),
            'cmd': twist(SPEED_MPS * slow, 0.0, TURN_RAD_S * (turn_left - turn_right))}
