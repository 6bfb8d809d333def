"""The offline-analysis subcommands of ``neurobot`` (registered in :mod:`neurobot.cli`).

    neurobot recording-plots run.mcap [--weights weights.npz] [--maze maze.yaml] [-o dir]
    neurobot recording-export run.mcap --populations places,actions --window-ms 100
        --bin-ms 10 [--sample-topic TOPIC] [--keep-partial] -o data.npz
    neurobot recording-train data.npz -o model.npz [--only-active places] [--hidden 0]

Errors a user can fix (missing file, not an MCAP file, unknown population, bad window)
are printed as one line on stderr with exit status 2.
"""

import sys

EXIT_USAGE = 2


def add_parsers(commands, default_maze: str = None):
    """Add the three subcommands to the ``neurobot`` argument parser.

    Args:
        commands: the subparsers of ``neurobot``.
        default_maze: maze YAML drawn under the trajectory when --maze is not given
            (None: none).
    """
    plots = commands.add_parser('recording-plots',
                                help='draw raster, rates, trajectory (and weights) of a recording')
    plots.add_argument('recording', help='.mcap file')
    plots.add_argument('--weights', help="weight file of the brain node's weight recorder")
    plots.add_argument('--maze', default=default_maze, help='maze YAML drawn under the '
                       'trajectory (e.g. the run\'s maze:=FILE; default: none)')
    plots.add_argument('--raster-s', type=float, default=30.0,
                       help='raster of the last this many seconds (0: everything)')
    plots.add_argument('-o', '--out-dir', default=None,
                       help='output directory (default: <recording>_plots next to the file)')
    plots.set_defaults(run=recording_plots)

    export = commands.add_parser('recording-export',
                                 help='export windowed spike counts + robot state to .npz')
    export.add_argument('recording', help='.mcap file')
    export.add_argument('--populations', required=True,
                        help='comma-separated population names, e.g. places,actions')
    export.add_argument('--window-ms', type=float, default=100.0,
                        help='window before each sample, ms')
    export.add_argument('--bin-ms', type=float, default=10.0,
                        help='bin length, ms (divides the window)')
    export.add_argument('--sample-topic', default=None,
                        help='one sample per message of this topic (default: per brain step)')
    export.add_argument('--keep-partial', action='store_true',
                        help='keep windows that are not fully recorded (zero-padded)')
    export.add_argument('-o', '--output', required=True, help='.npz file to write')
    export.set_defaults(run=recording_export)

    train = commands.add_parser('recording-train',
                                help='example: train a small network on an export')
    train.add_argument('export', help='.npz written by recording-export')
    train.add_argument('-o', '--output', required=True, help='model .npz to write')
    train.add_argument('--populations', default=None,
                       help='feature populations, comma-separated (default: all exported)')
    train.add_argument('--only-active', default=None, metavar='POPULATION',
                       help='train on samples whose window holds spikes of this population')
    train.add_argument('--hidden', type=int, default=0,
                       help='hidden tanh units (0: softmax regression)')
    train.add_argument('--test-fraction', type=float, default=0.25)
    train.add_argument('--epochs', type=int, default=300)
    train.add_argument('--seed', type=int, default=0)
    train.set_defaults(run=recording_train)


def _fail(command, error) -> int:
    print(f'neurobot {command}: {error}', file=sys.stderr)
    return EXIT_USAGE


def recording_plots(args) -> int:
    from pathlib import Path

    from neurobot.analysis.figures import plot_recording
    from neurobot.analysis.recording import RecordingError, load_recording
    try:
        recording = load_recording(args.recording, progress=True)
        maze = None
        if args.maze and args.maze.lower() != 'none':
            from neurobot.world.maze import Maze
            maze = Maze.from_yaml(args.maze)
        weights = None
        if args.weights:
            if not Path(args.weights).is_file():
                raise FileNotFoundError(f'weight file not found: {args.weights}')
            from brain_node.weight_recorder import read_weight_file
            weights = read_weight_file(args.weights)
    except (FileNotFoundError, RecordingError, ValueError) as error:
        return _fail('recording-plots', error)
    out_dir = args.out_dir or str(Path(args.recording).with_suffix('')) + '_plots'
    for path, skipped in plot_recording(recording, out_dir, maze, weights,
                                        args.raster_s or None):
        print(f'figure: {path}' if path is not None else f'skipped: {skipped}')
    return 0


def recording_export(args) -> int:
    from neurobot.analysis.export import export_windows, save_export, to_ns
    from neurobot.analysis.recording import RecordingError, load_recording
    populations = [p.strip() for p in args.populations.split(',') if p.strip()]
    try:
        # check the window before reading what may be a long file
        if to_ns('window_ms', args.window_ms) % to_ns('bin_ms', args.bin_ms):
            raise ValueError(f'bin_ms: expected a divisor of window_ms ({args.window_ms} ms), '
                             f'got {args.bin_ms} ms')
        recording = load_recording(args.recording, populations, progress=True,
                                   stamp_topics=[args.sample_topic] if args.sample_topic
                                   else ())
        arrays = export_windows(recording, populations, args.window_ms, args.bin_ms,
                                sample_topic=args.sample_topic,
                                keep_partial=args.keep_partial)
    except (FileNotFoundError, RecordingError, ValueError) as error:
        return _fail('recording-export', error)
    path = save_export(args.output, arrays)
    meta = arrays['metadata']
    n = len(arrays['sample_time_ms'])
    shapes = ', '.join(f'{name} {arrays["spikes_" + name].shape}' for name in populations)
    print(f'{path}: {n} samples ({meta["samples"]}; {meta["samples_incomplete"]} incomplete '
          f'windows {"kept" if args.keep_partial else "dropped"}), {meta["window_ms"]:g} ms '
          f'windows in {meta["n_bins"]} bins of {meta["bin_ms"]:g} ms: {shapes}; '
          f'state from {meta["state_topic"]}, {int(arrays["has_command"].sum())} samples '
          f'followed by a command')
    return 0


def recording_train(args) -> int:
    from neurobot.analysis.export import load_export
    from neurobot.analysis.train_example import train
    try:
        export = load_export(args.export)
        populations = ([p.strip() for p in args.populations.split(',') if p.strip()]
                       if args.populations else None)
        readout, report = train(export, populations, only_active=args.only_active,
                                hidden=args.hidden, test_fraction=args.test_fraction,
                                seed=args.seed, epochs=args.epochs)
    except (FileNotFoundError, ValueError) as error:
        return _fail('recording-train', error)
    readout.save(args.output)
    print(f'trained on {report["n_train"]} samples, tested on {report["n_test"]} held out '
          f'(labels: direction of the next command; counts {report["class_counts"]})')
    print(f'held-out accuracy {report["accuracy"]:.2f} (training {report["train_accuracy"]:.2f}); '
          f'chance: majority class {report["chance_majority"]:.2f}, uniform '
          f'{report["chance_uniform"]:.2f}')
    print(f'model: {args.output} (use it with transfer_functions/learned_readout.py, '
          f'-p model:={args.output})')
    return 0
