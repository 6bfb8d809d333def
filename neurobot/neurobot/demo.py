"""A short closed demo of brain_node: drive the example brain over ROS 2 and plot it.

Starts ``brain_node`` on ``brains/example_brain.py`` as its own process, drives its
/clock from this process (as a world would), changes the sensors' rates half-way,
resets the brain over ``reset_brain``, reads and writes weights with ``get_weights`` /
``set_weights``, and writes a spike raster with the step timing to
``results/demo/brain_demo.png``.

Usage: ``neurobot-demo [--seconds 2.0] [--step-ms 20] [--out results/demo]``
"""

import argparse
import os
from pathlib import Path
import subprocess
import sys
import time

import numpy as np

from neurobot.dds import configure_local_dds
from neurobot.paths import share_path

NS_PER_MS = 1_000_000


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--seconds', type=float, default=2.0, help='simulated time per trial, s')
    parser.add_argument('--step-ms', type=float, default=20.0, help='brain step, ms')
    parser.add_argument('--out', default='results/demo', help='output directory')
    parser.add_argument('--domain', type=int, default=None,
                        help='ROS_DOMAIN_ID (default: 50 + pid %% 40, so runs do not collide)')
    return parser.parse_args(argv)


def main(argv=None):
    """Run the demo; return a process exit code."""
    args = parse_args(argv)
    configure_local_dds()
    os.environ['ROS_DOMAIN_ID'] = str(args.domain if args.domain is not None
                                      else 50 + os.getpid() % 40)
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    import rclpy
    from rosgraph_msgs.msg import Clock
    from tqdm import tqdm

    from neurobot_interfaces.msg import BrainStep, PopulationInput, PopulationSpikes
    from neurobot_interfaces.srv import DescribeBrain, GetWeights, ResetBrain, SetWeights

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    brain_file = share_path('brains', 'example_brain.py')
    log_path = out / 'brain_node.log'
    brain_proc = subprocess.Popen(
        [str(Path(sys.executable).parent / 'brain_node'), '--ros-args',
         '-p', f'brain:={brain_file}', '-p', 'use_sim_time:=true',
         '-p', f'step_ms:={args.step_ms}'],
        stdout=open(log_path, 'w'), stderr=subprocess.STDOUT)
    rclpy.init()
    node = rclpy.create_node('neurobot_demo')
    spikes, steps = {}, []
    for pop in ('sensors', 'excitatory', 'inhibitory'):
        spikes[pop] = []
        node.create_subscription(PopulationSpikes, f'brain/{pop}/spikes',
                                 lambda m, pop=pop: spikes[pop].append(m), 1000)
    node.create_subscription(BrainStep, 'brain/step', steps.append, 1000)
    clock_pub = node.create_publisher(Clock, '/clock', 100)
    stimulus = node.create_publisher(PopulationInput, 'brain/sensors/stimulus', 10)

    def call(srv, name, request):
        client = node.create_client(srv, name)
        if not client.wait_for_service(timeout_sec=60):
            raise RuntimeError(f'{name} not available; see {log_path}')
        future = client.call_async(request)
        rclpy.spin_until_future_complete(node, future, timeout_sec=60)
        return future.result()

    def publish_clock(ns):
        msg = Clock()
        msg.clock.sec, msg.clock.nanosec = ns // 1_000_000_000, ns % 1_000_000_000
        clock_pub.publish(msg)

    try:
        described = call(DescribeBrain, 'describe_brain', DescribeBrain.Request())
        print(f'brain_node is up: {described.message}')
        for p in described.populations:
            print(f'  population {p.name:<11} {p.cell_type:<18} size {p.size:4d}  '
                  f'input {p.input_kind or "-":<10} spikes {p.spikes_topic or "-"}')
        steps_per_trial = int(round(args.seconds * 1000 / args.step_ms))
        step_ns = int(round(args.step_ms * NS_PER_MS))
        publish_clock(0)
        time.sleep(0.3)
        trial_ends = []
        clock_ns = 0
        for trial in range(2):
            rates = np.linspace(2.0, 60.0, 20)  # Hz: a gradient over the sensors
            for k in tqdm(range(steps_per_trial), desc=f'trial {trial + 1}', unit='step'):
                if k == steps_per_trial // 2:
                    stimulus.publish(PopulationInput(values=rates.tolist()))
                clock_ns += step_ns
                publish_clock(clock_ns)
                expected = trial * steps_per_trial + k + 1
                deadline = time.monotonic() + 10
                while len(steps) < expected and time.monotonic() < deadline:
                    rclpy.spin_once(node, timeout_sec=0.01)
            trial_ends.append(clock_ns / NS_PER_MS)
            if trial == 0:
                reset = call(ResetBrain, 'reset_brain', ResetBrain.Request())
                print(f'reset_brain: {reset.message}')
        weights = call(GetWeights, 'get_weights',
                       GetWeights.Request(projection='sensors_to_excitatory'))
        w = np.asarray(weights.weights)
        scaled = np.where(np.isnan(w), np.nan, w * 1.1)
        written = call(SetWeights, 'set_weights', SetWeights.Request(
            projection='sensors_to_excitatory', rows=weights.rows, cols=weights.cols,
            weights=scaled.tolist()))
        print(f'get_weights: {weights.rows}x{weights.cols}, mean {np.nanmean(w):.3f} nA; '
              f'set_weights: {written.message}')
    finally:
        node.destroy_node()
        rclpy.try_shutdown()
        brain_proc.terminate()
        brain_proc.wait(10)

    fig, axes = plt.subplots(2, 1, figsize=(10, 7), sharex=True,
                             gridspec_kw={'height_ratios': [3, 1]})
    offset, colours = 0, {'sensors': 'tab:green', 'excitatory': 'tab:blue',
                          'inhibitory': 'tab:red'}
    for pop, messages in spikes.items():
        times = np.concatenate([np.asarray(m.spike_times_ms) for m in messages] or [[]])
        neurons = np.concatenate([np.asarray(m.spike_neurons) for m in messages] or [[]])
        axes[0].scatter(times, neurons + offset, s=1.5, color=colours[pop], label=pop)
        size = len(messages[0].counts) if messages else 0
        offset += size
    for end in trial_ends[:-1]:
        axes[0].axvline(end, color='k', linestyle='--', linewidth=1)
        axes[0].text(end, offset, ' reset_brain', va='bottom')
    axes[0].set_ylabel('neuron')
    axes[0].legend(loc='upper left', markerscale=5)
    axes[0].set_title('example_brain.py via brain_node: sensors get a rate gradient half-way '
                      'through each trial')
    step_end = [m.header.stamp.sec * 1e3 + m.header.stamp.nanosec / 1e6 for m in steps]
    axes[1].plot(step_end, [m.nest_ms for m in steps], label='NEST simulate')
    axes[1].plot(step_end, [m.total_ms for m in steps], label='whole step in brain_node')
    axes[1].set_ylabel('wall time per step, ms')
    axes[1].set_xlabel('simulation time, ms')
    axes[1].legend(loc='upper right')
    fig.tight_layout()
    png = out / 'brain_demo.png'
    fig.savefig(png, dpi=110)
    total = sum(len(m.spike_neurons) for messages in spikes.values() for m in messages)
    print(f'{len(steps)} steps, {total} spikes; raster and timing: {png}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
