"""SRT and WebVTT: one unit per cue, tags and breaks kept, timings and blocks never touched."""

from __future__ import annotations

import copy
from pathlib import Path

from dragoman.content.documents.subtitles import SrtCodec, VttCodec
from dragoman.content.formats.base import Codec
from dragoman.content.model import Limits, Unit

FIXTURES = Path(__file__).parents[2] / "fixtures" / "formats"


def _parse(codec: Codec, data: bytes) -> tuple[list[Unit], object]:
    extraction = codec.parse(data, source_locale="en", limits=Limits())
    return extraction.units, extraction.skeleton


def _render(codec: Codec, data: bytes, targets: dict[str, str], locale: str = "es") -> bytes:
    units, skeleton = _parse(codec, data)
    out = []
    for unit in units:
        unit = copy.copy(unit)
        unit.target = targets.get(unit.id)
        out.append(unit)
    return codec.render(skeleton, out, target_locale=locale)


def test_srt_cues_are_single_units_with_tags() -> None:
    units, _ = _parse(SrtCodec(), (FIXTURES / "srt" / "episode.srt").read_bytes())
    assert [u.source for u in units[:4]] == [
        "Previously on <g1>The Long Road</g1>...",
        "- Where were you last night?<x1/>- I was at the station, waiting for you.",
        "<x1/><g2>[THUNDER RUMBLING]</g2>",
        "<g1>We can't stay here.<x2/>The storm is getting worse.</g1>",
    ]  # two sentences, one unit: a cue is never split
    assert units[4].source == "Tom &amp; Jerry's diner closes at 9 PM."
    assert all("-->" not in u.source and not u.source[:1].isdigit() for u in units)


def test_srt_translation_keeps_bom_crlf_timings_and_moves_tags() -> None:
    data = (FIXTURES / "srt" / "episode.srt").read_bytes()
    out = _render(SrtCodec(), data, {
        "c2": "- ¿Dónde estabas?<x1/>- En la estación.",
        "c4": "<g1>No podemos</g1> quedarnos.<x2/>La tormenta empeora.",
        "c5": "Tom & Jerry <3",
    })  # fmt: skip
    assert out.startswith(b"\xef\xbb\xbf1\r\n00:00:01,000 --> 00:00:04,200\r\n")
    text = out.decode("utf-8-sig")
    assert (
        "00:00:04,500 --> 00:00:07,800\r\n- ¿Dónde estabas?\r\n- En la estación.\r\n\r\n3\r\n"
        in text
    )
    assert "<i>No podemos</i> quedarnos.\r\nLa tormenta empeora.\r\n" in text
    assert "Tom & Jerry &lt;3\r\n" in text
    assert '{\\an8}<font color="#ffff00">[THUNDER RUMBLING]</font>' in text
    assert text.count("\r\n") == data.decode("utf-8-sig").count("\r\n")


def test_vtt_leaves_header_blocks_and_settings_and_sets_language() -> None:
    data = (FIXTURES / "vtt" / "show.vtt").read_bytes()
    units, _ = _parse(VttCodec(), data)
    everything = " ".join(u.source for u in units)
    for never in ("color", "exported", "timestamps inside", "region", "line:0", "Kind"):
        assert never not in everything
    assert units[1].source == "<g1>Thanks for having me!</g1><x2/><g3>It is great</g3> to be here."
    assert units[3].source == "Rock &amp; roll, &lt;loud&gt; and <g1>proud</g1>\xa0!"
    out = _render(VttCodec(), data, {
        "c2": "<g3>Es genial</g3> estar aquí.<x2/><g1>¡Gracias!</g1>",
        "c4": "Rock & roll <alto>\xa0<g1>orgulloso</g1>",
    })  # fmt: skip
    text = out.decode()
    assert "Language: es\n" in text
    assert ("00:00:04.500 --> 00:00:08.000 region:bottom\n<c.yellow>Es genial</c> estar aquí.\n"
            "<v.loud Anna>¡Gracias!</v>\n") in text  # fmt: skip
    assert "Rock &amp; roll &lt;alto&gt;&nbsp;<i>orgulloso</i>\n" in text
    untouched = data.decode().split("intro\n")[0].replace("Language: en", "Language: es")
    assert text.startswith(untouched)


def test_an_open_voice_tag_and_a_lost_break_never_break_the_cue() -> None:
    data = b"WEBVTT\n\n00:01.000 --> 00:02.000\n<v Ann>Hello there\nmy friend\n"
    units, _ = _parse(VttCodec(), data)
    assert units[0].source == "<g1>Hello there<x2/>my friend</g1>"
    out = _render(VttCodec(), data, {"c1": "<x2/><g1>Hola</g1> amigo<x2/>"})
    assert out == b"WEBVTT\n\n00:01.000 --> 00:02.000\n<v Ann>Hola amigo\n"


def test_identity_render_is_byte_identical() -> None:
    for codec, path in ((SrtCodec(), "srt/lecture.srt"), (VttCodec(), "vtt/tutorial.vtt")):
        data = (FIXTURES / path).read_bytes()
        units, skeleton = _parse(codec, data)
        assert codec.render(skeleton, units, target_locale="en") == data
