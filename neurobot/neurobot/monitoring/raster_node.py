"""spike_raster: a raster of the last seconds of spikes as an image (rqt_image_view).

Subscribes ``brain/<population>/spikes`` (PopulationSpikes) of the populations in
``populations`` (empty: every population whose spikes topic appears, found by topic
discovery and stacked in name order) and publishes ``brain/raster`` (sensor_msgs/Image,
``mono8``): rows are neurons, columns bins of ``bin_ms`` over the last ``window_ms``
(exact layout: neurobot.monitoring.raster).

An image is published when the spikes of every population (every one requested, or
every one seen so far) have arrived up to the next multiple of ``period_ms`` (and for
the first data); it covers the window ending there and its header stamp is that time,
in the time base of the spike messages (simulated time when the brain runs on /clock or
in lockstep). Publishing on data time rather than on a timer makes each image complete
and the same in every run.
Time going backwards (a world reset with its clock) clears the raster.

Parameters: populations, window_ms, bin_ms, period_ms, gap_rows, discovery_period_s,
and in lockstep the lockstep_* parameters: the node then takes part in round 0 only
(neurobot.round_zero), so the run starts once it is subscribed and its first image is
complete and in a recording.
"""

import sys

from rcl_interfaces.msg import IntegerRange, ParameterDescriptor, ParameterType
from rclpy.node import Node
from sensor_msgs.msg import Image

from neurobot import qos
from neurobot.lockstep_participant import run_node
from neurobot.monitoring.raster import PublishSchedule, SpikeRaster
from neurobot.parameters import declare_number
from neurobot.round_zero import RoundZeroObserver, declare_observer_parameters
from neurobot.stamps import time_msg
from neurobot_interfaces.msg import PopulationSpikes

SPIKES_TYPE = 'neurobot_interfaces/msg/PopulationSpikes'
NS_PER_MS = 1_000_000
WARN_THROTTLE_S = 5.0


def stamp_ms(stamp) -> float:
    return stamp.sec * 1e3 + stamp.nanosec / NS_PER_MS


def ms_to_stamp(time_ms: float):
    return time_msg(int(round(time_ms * NS_PER_MS)))


class RasterNode(Node):
    """Spike raster images (see the module docstring)."""

    def __init__(self, **kwargs):
        super().__init__('spike_raster', **kwargs)
        ro = dict(read_only=True)

        # [''] rather than []: an empty list would leave the parameter's type undetermined
        self.declare_parameter('populations', [''], ParameterDescriptor(
            description='Populations to draw, top to bottom; empty: every spikes topic found',
            type=ParameterType.PARAMETER_STRING_ARRAY, **ro))
        declare_number(self, 'window_ms', 2000.0,
                       'Time the image covers, ms (a whole number of bins)', 0.001, 3_600_000.0)
        declare_number(self, 'bin_ms', 2.0, 'Time one image column covers, ms', 0.001, 60_000.0)
        declare_number(self, 'period_ms', 200.0,
                       'Time between two images, ms (of the spikes\' time base)',
                       0.001, 3_600_000.0)
        self.declare_parameter('gap_rows', 1, ParameterDescriptor(
            description='Grey rows between two populations', integer_range=[
                IntegerRange(from_value=0, to_value=100, step=1)], **ro))
        declare_number(self, 'discovery_period_s', 1.0,
                       'Wall time between two looks for new spikes topics '
                       '(populations empty only), s', 0.01, 3600.0)
        value = lambda name: self.get_parameter(name).value  # noqa: E731

        self.raster = SpikeRaster(float(value('window_ms')), float(value('bin_ms')),
                                  int(value('gap_rows')))
        self.schedule = PublishSchedule(float(value('period_ms')))
        self.requested = [p for p in value('populations') if p]
        self._last_ms = {}  # population -> end of its last step (stamp), ms
        self._spike_subs = {}
        self.images = 0
        # reliable: matches reliable viewers (rqt_image_view) and best-effort ones
        self._pub = self.create_publisher(Image, 'brain/raster', qos.RELIABLE)
        for population in self.requested:
            self._subscribe(population)
        if not self.requested:
            self.create_timer(float(value('discovery_period_s')), self._discover)
            self._discover()
        declare_observer_parameters(self)
        self.round_zero = RoundZeroObserver(self, self._subscribed_to,
                                            own_topics=[self._pub.topic_name])
        self.get_logger().info(
            f'raster of {", ".join(self.requested) or "every population found"}: '
            f'{self.raster.window_ms:g} ms in {self.raster.n_bins} bins, every '
            f'{self.schedule.period_ms:g} ms on {self._pub.topic_name}')

    def _subscribe(self, population: str):
        topic = f'brain/{population}/spikes'
        self._spike_subs[population] = self.create_subscription(
            PopulationSpikes, topic, lambda msg, name=population: self._on_spikes(name, msg),
            qos.BRAIN_OUTPUT)

    def _subscribed_to(self, topics) -> bool:
        """Subscribed and matched to every spikes topic the participants announced."""
        if not self.requested:
            self._discover()
        prefix = self.get_namespace().rstrip('/') + '/brain/'
        wanted = [t[len(prefix):-len('/spikes')] for t in topics
                  if t.startswith(prefix) and t.endswith('/spikes')
                  and t.count('/') == prefix.count('/') + 1]
        if self.requested:
            wanted = [p for p in wanted if p in self.requested]
        return all(p in self._spike_subs and self._spike_subs[p].get_publisher_count() > 0
                   for p in wanted)

    def _discover(self):
        prefix = self.get_namespace().rstrip('/') + '/brain/'
        found = []
        for name, types in self.get_topic_names_and_types():
            if (name.startswith(prefix) and name.endswith('/spikes') and SPIKES_TYPE in types
                    and name.count('/') == prefix.count('/') + 1):
                found.append(name[len(prefix):-len('/spikes')])
        new = sorted(set(found) - set(self._spike_subs))
        for population in new:
            self._subscribe(population)
        if new:
            self.get_logger().info(f'drawing populations {", ".join(sorted(self._spike_subs))}')

    def _on_spikes(self, population: str, msg: PopulationSpikes):
        end_ms = stamp_ms(msg.header.stamp)
        if population in self._last_ms and end_ms < self._last_ms[population]:
            self.get_logger().info(f'time went back to {end_ms / 1e3:.3f} s: raster cleared')
            self.raster.clear()
            self.schedule.reset()
            self._last_ms = {}
        try:
            self.raster.add(population, len(msg.counts), msg.spike_neurons, msg.spike_times_ms)
        except ValueError as error:
            self.get_logger().warning(f'ignored a message of {population}: {error}',
                                      throttle_duration_sec=WARN_THROTTLE_S)
            return
        self._last_ms[population] = end_ms
        self.raster.set_order(self.requested or sorted(self.raster.sizes))
        if any(p not in self._last_ms for p in self.requested):
            return  # a requested population not heard yet: its rows would be missing
        complete_ms = min(self._last_ms.values())
        if self.schedule.due(complete_ms):
            self._publish(complete_ms)

    def _publish(self, end_ms: float):
        self.raster.forget_before(end_ms - self.raster.window_ms)
        pixels = self.raster.render(end_ms)
        image = Image()
        image.header.stamp = ms_to_stamp(end_ms)
        image.height, image.width = pixels.shape
        image.encoding = 'mono8'
        image.is_bigendian = 0
        image.step = image.width
        image.data = pixels.tobytes()
        self._pub.publish(image)
        self.images += 1


def main(args=None):
    """Run spike_raster until Ctrl-C."""
    return run_node('spike_raster', RasterNode, args,
                    farewell=lambda node: f'{node.images} raster images published')


if __name__ == '__main__':
    sys.exit(main())
