"""The ``neurobot`` command.

    neurobot launch maze [world:=embedded] [step_ms:=200.0] [brain:=...] ...
    neurobot launch maze --show-args

``neurobot launch`` starts the same nodes, with the same parameters, as
``ros2 launch neurobot maze.launch.py``, from the one description in
:mod:`neurobot.bringup`, for machines without ROS 2's launch tools.
"""

import argparse
import sys

from neurobot import bringup
from neurobot.dds import configure_local_dds

BRINGUPS = {
    'maze': (bringup.MAZE_ARGUMENTS, bringup.maze_nodes),
}


def parse_launch_arguments(items) -> dict:
    """Parse ``name:=value`` words (the ros2 launch syntax).

    Raises:
        ValueError: a word without ':='.
    """
    values = {}
    for item in items:
        if ':=' not in item:
            raise ValueError(f'launch arguments are written name:=value, got {item!r}')
        name, value = item.split(':=', 1)
        values[name] = value
    return values


def show_arguments(arguments):
    for argument in arguments:
        choices = f' (one of: {", ".join(argument.choices)})' if argument.choices else ''
        print(f"  {argument.name}:\n      {argument.description}{choices}\n"
              f"      (default: '{argument.default}')")


def launch(args) -> int:
    arguments, build = BRINGUPS[args.bringup]
    if args.show_args:
        print(f'Arguments of {args.bringup} (name:=value):')
        show_arguments(arguments)
        return 0
    try:
        given = parse_launch_arguments(args.arguments)
        values = bringup.resolve_arguments(arguments, given)
        specs = build(given)
    except ValueError as error:
        print(f'neurobot launch {args.bringup}: {error}', file=sys.stderr)
        return 2
    configure_local_dds()
    from neurobot.launcher import Launcher
    return Launcher(specs, log_level=values['log_level']).run()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog='neurobot', description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest='command', required=True)
    launch_parser = commands.add_parser(
        'launch', help='start a bring-up (like ros2 launch, without ROS 2 launch tools)')
    launch_parser.add_argument('bringup', choices=sorted(BRINGUPS))
    launch_parser.add_argument('arguments', nargs='*', help='name:=value launch arguments')
    launch_parser.add_argument('--show-args', action='store_true',
                               help='list the launch arguments with defaults and descriptions')
    launch_parser.set_defaults(run=launch)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == '__main__':
    sys.exit(main())
