"""The maze experiment: a robot learns to reach a goal cell in a maze of walls."""
