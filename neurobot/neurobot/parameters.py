"""Declaring ROS parameters with descriptors: the pieces several nodes share."""

from rcl_interfaces.msg import FloatingPointRange, ParameterDescriptor


def declare_number(node, name: str, default: float, description: str, low: float,
                   high: float, read_only: bool = True):
    """Declare a floating-point parameter within [low, high].

    Dynamically typed, so that an integer given on the command line (``-p rate:=0``)
    is accepted as typed; read it with ``float(node.get_parameter(name).value)``.
    """
    node.declare_parameter(name, float(default), ParameterDescriptor(
        description=description, read_only=read_only, dynamic_typing=True,
        floating_point_range=[FloatingPointRange(from_value=low, to_value=high, step=0.0)]))
