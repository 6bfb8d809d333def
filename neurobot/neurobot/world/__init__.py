"""ROS-free core of the maze worlds: maze description, MuJoCo world, Gazebo files.

Modules: :mod:`.maze` (YAML maze format and geometry), :mod:`.mjcf` (MuJoCo model),
:mod:`.world` (embedded simulator), :mod:`.render` (top-down PNG), :mod:`.sdf`
(Gazebo world generation and parsing). Import the submodules directly; this package
does not import MuJoCo or matplotlib on its own.
"""
