"""Recording ROS topics to MCAP files, and the type lookup the live view shares.

- :mod:`.ros_types`: ROS type names, message classes and complete ``ros2msg`` definitions
  (the schema text rosbag2 writes into MCAP files).
- :mod:`.topics`: which topics to take (names, exclusions) and which QoS to subscribe with.
- :mod:`.mcap_file`: a ROS-free MCAP writer of raw CDR messages with clear errors.
- :mod:`.subscriber`: subscribes raw to the selected topics as publishers appear (rclpy).
- :mod:`.recorder_node`: the ``mcap_recorder`` node.
"""
