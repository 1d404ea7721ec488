"""Dispatchers: how "look at job X" reaches a worker (in-process queue, or a broker)."""
