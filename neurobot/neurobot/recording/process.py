"""The life of a recorder or live-view process: start, spin, stop cleanly on a signal.

Like :func:`neurobot.lockstep_participant.run_node` (local DDS, rclpy without its signal
handlers, an EventsExecutor, SIGINT/SIGTERM handled between callbacks so the file or
server is closed after the last callback, never during one), plus what these nodes need:
a node that sets ``failure`` (a recording error with ``on_error:=stop``) ends the
process with status 1, and ``node.close()`` runs at exit and its text is printed.
"""

import signal
import sys
import threading
import traceback

from neurobot.ownership import silence_if_orphaned

EXIT_FAILURE = 1


def run(name: str, make_node, args=None) -> int:
    """Build the node with ``make_node()``, spin until a signal or a failure; return the exit code.

    The node may have a ``failure`` attribute (None or a message) and a ``close()`` method
    returning a summary text.
    """
    import rclpy
    from rclpy.executors import ExternalShutdownException
    from rclpy.experimental import EventsExecutor
    from rclpy.signals import SignalHandlerOptions

    from neurobot.dds import configure_local_dds
    configure_local_dds()
    rclpy.init(args=args, signal_handler_options=SignalHandlerOptions.NO)
    try:
        node = make_node()
    except ValueError as error:  # a bad parameter: the message says what was expected
        print(f'{name}: {error}', file=sys.stderr)
        rclpy.try_shutdown()
        return EXIT_FAILURE
    except Exception:
        traceback.print_exc()
        print(f'{name}: could not start (see the error above)', file=sys.stderr)
        rclpy.try_shutdown()
        return EXIT_FAILURE
    executor = EventsExecutor()
    executor.add_node(node)
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set())
                for sig in (signal.SIGINT, signal.SIGTERM)}
    code = 0
    try:
        while not stop.is_set() and rclpy.ok(context=node.context):
            executor.spin_once(timeout_sec=0.1)
            if getattr(node, 'failure', None):
                print(f'{name}: {node.failure}', file=sys.stderr)
                code = EXIT_FAILURE
                break
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        signal.signal(signal.SIGINT, previous[signal.SIGINT])
        # SIGTERM stays handled: a repeated one (a killed launcher sends one per exiting
        # thread) must not cut the closing of the file short
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        silence_if_orphaned()  # the launcher (the reader of our output) is gone
        executor.shutdown()  # no callback runs while the node closes its file or server
        summary = node.close()
        if summary:
            print(f'{name}: {summary}', file=sys.stderr)
        if getattr(node, 'failure', None):
            code = EXIT_FAILURE
        node.destroy_node()
        rclpy.try_shutdown()
    return code
