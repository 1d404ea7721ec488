"""Document codecs: office and web documents as segments with inline tags (`inline.py`)."""
