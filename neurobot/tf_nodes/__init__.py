"""tf_nodes: transfer functions (brain <-> robot translation) as ROS 2 nodes."""
