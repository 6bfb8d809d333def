"""Unit tests of the spike raster image (neurobot.monitoring.raster): exact pixels."""

import numpy as np
import pytest

from neurobot.monitoring.raster import (GAP_VALUE, SPIKE_VALUE, PublishSchedule, SpikeRaster)


def lit(image):
    """(row, column) of every spike pixel, sorted."""
    return sorted(zip(*np.nonzero(image == SPIKE_VALUE)))


def test_a_spike_lights_exactly_its_neuron_row_and_time_column():
    raster = SpikeRaster(window_ms=10.0, bin_ms=1.0, gap_rows=0)
    raster.add('a', 4, [2], [103.5])
    image = raster.render(end_ms=110.0)  # window (100, 110]
    assert image.shape == (4, 10) and image.dtype == np.uint8
    assert lit(image) == [(2, 3)]  # 103.5 lies in (103, 104]
    assert (image != SPIKE_VALUE).sum() == 39 and image.max() == SPIKE_VALUE


def test_bins_are_open_on_the_left_closed_on_the_right():
    raster = SpikeRaster(window_ms=10.0, bin_ms=2.0, gap_rows=0)
    raster.add('a', 3, [0, 1, 2, 0], [100.0, 102.0, 110.0, 110.1])
    # 100.0 is the window's open edge (out), 102.0 ends bin 0, 110.0 ends the last bin,
    # 110.1 is after the end (out)
    assert lit(raster.render(end_ms=110.0)) == [(1, 0), (2, 4)]
    # floating-point noise at a bin edge does not move a spike to the next bin
    raster = SpikeRaster(window_ms=0.6, bin_ms=0.1, gap_rows=0)
    raster.add('a', 1, [0, 0], [0.1 + 0.2, 0.6])  # 0.30000000000000004 ends bin 2
    assert lit(raster.render(end_ms=0.6)) == [(0, 2), (0, 5)]


def test_populations_stack_in_order_with_grey_gap_rows():
    raster = SpikeRaster(window_ms=4.0, bin_ms=1.0, gap_rows=2)
    raster.add('b', 2, [1], [3.5])
    raster.add('a', 3, [0], [0.5])
    raster.set_order(['a', 'b'])
    assert raster.first_rows() == {'a': 0, 'b': 5}
    image = raster.render(end_ms=4.0)
    assert image.shape == (7, 4)
    assert lit(image) == [(0, 0), (6, 3)]
    assert (image[3:5] == GAP_VALUE).all()
    assert (np.delete(image, [0, 3, 4, 6], axis=0) == 0).all()


def test_repeated_spikes_in_one_bin_light_one_pixel_and_the_window_slides():
    raster = SpikeRaster(window_ms=5.0, bin_ms=1.0, gap_rows=0)
    raster.add('a', 2, [1, 1, 0], [1.2, 1.7, 4.0])
    assert lit(raster.render(end_ms=5.0)) == [(0, 3), (1, 1)]
    assert lit(raster.render(end_ms=7.0)) == [(0, 1)]  # window (2, 7]: the 1.x spikes left
    raster.forget_before(2.0)
    assert lit(raster.render(end_ms=5.0)) == [(0, 3)]  # forgotten spikes stay forgotten


def test_bad_input_is_refused_and_changes_nothing():
    raster = SpikeRaster(window_ms=5.0, bin_ms=1.0)
    raster.add('a', 3, [0], [1.0])
    with pytest.raises(ValueError, match='0..2'):
        raster.add('a', 3, [3], [2.0])
    with pytest.raises(ValueError, match='as many spike times'):
        raster.add('a', 3, [0, 1], [2.0])
    with pytest.raises(ValueError, match='had 3 neurons, now 4'):
        raster.add('a', 4, [0], [2.0])
    assert lit(raster.render(5.0)) == [(0, 0)]
    with pytest.raises(ValueError, match='whole number of bins'):
        SpikeRaster(window_ms=5.5, bin_ms=2.0)
    with pytest.raises(ValueError, match='bin_ms'):
        SpikeRaster(window_ms=5.0, bin_ms=0.0)


def test_schedule_publishes_first_data_then_at_each_period_boundary():
    schedule = PublishSchedule(40.0)
    assert [t for t in (20, 40, 60, 80, 100, 120, 200) if schedule.due(float(t))] == \
        [20, 40, 80, 120, 200]
    schedule.reset()
    assert schedule.due(10.0) and not schedule.due(20.0) and schedule.due(40.0)
