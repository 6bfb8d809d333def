"""The maze closed loop: world, brain and transfer functions (installed to share/neurobot/launch).

    ros2 launch neurobot maze.launch.py [world:=embedded|gazebo] [learner:=spiking|rstdp] ...

Every node and parameter is described once, in neurobot.bringup and the maze
experiment's description (experiments.maze.experiment), which `neurobot launch maze`
(for machines without ROS 2's launch tools) uses too.

Frames for rviz (monitoring:=true): every marker on maze/markers is drawn in ``map``,
the maze frame, so rviz needs no tf for them (this is all `neurobot launch` offers: no
tf2 there). Where tf2_ros is installed the launch also starts static_transform_publisher
for map -> odom (identity in simulation; from the robot file's maze_origin_in_odom on a
real robot) and base_link -> laser_link (simulation), and maze_markers broadcasts
odom -> base_link from odometry in simulation, so rviz's Odometry and LaserScan displays
resolve too. headless:=false starts rviz2 on config/neurobot.rviz where it is installed.
"""

from neurobot.launch_support import experiment_launch_description


def generate_launch_description():
    return experiment_launch_description('maze')
