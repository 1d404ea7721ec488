"""File-format codecs: bytes to units and back, byte-faithful (see `base.Codec`)."""
