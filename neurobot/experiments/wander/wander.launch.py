"""ros2 launch neurobot wander.launch.py [duration_s:=20.0] [name:=value ...]."""

from neurobot.launch_support import experiment_launch_description


def generate_launch_description():
    return experiment_launch_description('wander')
