"""A NUL in a segment travels to Apertium as a superblank, not as a flush (issue 9, item 5)."""

from __future__ import annotations

from dragoman.engines import apertium_stream as stream


def test_nul_is_encoded_as_a_superblank_and_decoded_back() -> None:
    payload = stream.encode_batch(["a\0b", "\0c\0", "d"]).decode()
    assert payload.count("\0") == 1  # only the flush that ends the block
    assert stream.decode_output(payload) == ["a\0b", "\0c\0", "d"]


def test_user_text_cannot_forge_the_nul_blank() -> None:
    payload = stream.encode_batch(["[0] and \\[0\\]"]).decode()
    assert stream.decode_output(payload) == ["[0] and \\[0\\]"]
