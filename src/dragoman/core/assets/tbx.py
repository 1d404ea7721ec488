"""TBX glossaries: TBX-Basic / TBX v2 (`martif`, termEntry/langSet/tig/term) read and written;
TBX v3 (`tbx`, conceptEntry/langSec/termSec) is read too.

Parsed with lxml, refusing any DTD or entity declaration. Do-not-translate and case
sensitivity travel as `termNote type="x-doNotTranslate"` / `"x-caseSensitive"` on the source
term, part of speech as `termNote type="partOfSpeech"`, the note as the entry's
`descrip type="definition"` or `note`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from lxml import etree

from dragoman.core.assets.glossary import GlossaryTerm, Pair, TermInput
from dragoman.errors import FileFormatError

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_TRUE = {"true", "yes", "1"}
_DEPRECATED = ("deprecatedterm", "supersededterm")


def _local(element: etree._Element) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _children(element: etree._Element, *names: str) -> Iterator[etree._Element]:
    for child in element:
        if _local(child) in names:
            yield child


def _descendants(element: etree._Element, *names: str) -> Iterator[etree._Element]:
    for child in element.iter():
        if _local(child) in names:
            yield child


def _text(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


def _parse(data: bytes) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        tree = etree.fromstring(data, parser).getroottree()
    except etree.XMLSyntaxError as exc:
        raise FileFormatError(f"the TBX file is not well-formed XML: {exc}", field="file") from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise FileFormatError(
            "the TBX file declares a DTD; DTDs and entities are refused", field="file"
        )
    root = tree.getroot()
    if _local(root) not in ("martif", "tbx"):
        raise FileFormatError(
            f"the file is not TBX: its root element is <{_local(root)}>, not <martif> or <tbx>",
            field="file",
        )
    return root


def _matches(lang: str, wanted: str) -> int:
    """2 for the same tag, 1 for the same language, 0 otherwise."""
    lang, wanted = lang.lower().replace("_", "-"), wanted.lower()
    if lang == wanted:
        return 2
    return 1 if lang.split("-")[0] == wanted.split("-")[0] else 0


def _lang_set(entry: etree._Element, wanted: str) -> etree._Element | None:
    best, score = None, 0
    for lang_set in _children(entry, "langSet", "langSec"):
        found = _matches(lang_set.get(XML_LANG) or lang_set.get("lang") or "", wanted)
        if found > score:
            best, score = lang_set, found
    return best


def _notes(element: etree._Element) -> dict[str, str]:
    return {
        (note.get("type") or "").lower(): _text(note)
        for note in _descendants(element, "termNote", "descrip")
    }


def _terms(lang_set: etree._Element) -> list[tuple[str, dict[str, str]]]:
    """The langSet's terms with their notes, usable ones before deprecated ones."""
    found: list[tuple[str, dict[str, str]]] = []
    for group in _children(lang_set, "tig", "ntig", "termSec"):
        term = next(_descendants(group, "term"), None)
        if term is not None and _text(term):
            found.append((_text(term), _notes(group)))
    found.sort(key=lambda item: item[1].get("administrativestatus", "").startswith(_DEPRECATED))
    return found


def read_tbx(data: bytes, pair: Pair) -> tuple[list[TermInput], int]:
    """The pair's terms of a TBX file, and how many entries lacked a target term."""
    root = _parse(data)
    entries: list[TermInput] = []
    skipped = 0
    for entry in _descendants(root, "termEntry", "conceptEntry"):
        source_set = _lang_set(entry, pair.source)
        target_set = _lang_set(entry, pair.target)
        sources = _terms(source_set) if source_set is not None else []
        targets = _terms(target_set) if target_set is not None else []
        entry_notes = {
            (d.get("type") or "").lower(): _text(d) for d in _children(entry, "descrip", "note")
        }
        note = entry_notes.get("definition") or entry_notes.get("") or None
        for source, notes in sources:
            dnt = notes.get("x-donottranslate", "").lower() in _TRUE
            if not targets and not dnt:
                skipped += 1
                continue
            entries.append(
                TermInput(
                    source_term=source,
                    target_term=targets[0][0] if targets else source,
                    case_sensitive=notes.get("x-casesensitive", "").lower() in _TRUE,
                    do_not_translate=dnt,
                    part_of_speech=notes.get("partofspeech") or None,
                    note=note,
                )
            )
    return entries, skipped


def write_tbx(terms: Iterable[GlossaryTerm], pair: Pair) -> bytes:
    """A TBX-Basic document of the terms."""
    root = etree.Element("martif", {"type": "TBX-Basic", XML_LANG: pair.source})
    header = etree.SubElement(root, "martifHeader")
    desc = etree.SubElement(etree.SubElement(header, "fileDesc"), "sourceDesc")
    etree.SubElement(desc, "p").text = f"Dragoman glossary {pair.source} -> {pair.target}"
    body = etree.SubElement(etree.SubElement(root, "text"), "body")
    for term in terms:
        entry = etree.SubElement(body, "termEntry", {"id": term.id})
        if term.note:
            etree.SubElement(entry, "descrip", {"type": "definition"}).text = term.note
        source = etree.SubElement(
            etree.SubElement(entry, "langSet", {XML_LANG: pair.source}), "tig"
        )
        etree.SubElement(source, "term").text = term.source_term
        if term.part_of_speech:
            etree.SubElement(
                source, "termNote", {"type": "partOfSpeech"}
            ).text = term.part_of_speech
        if term.do_not_translate:
            etree.SubElement(source, "termNote", {"type": "x-doNotTranslate"}).text = "true"
        if term.case_sensitive:
            etree.SubElement(source, "termNote", {"type": "x-caseSensitive"}).text = "true"
        target = etree.SubElement(
            etree.SubElement(entry, "langSet", {XML_LANG: pair.target}), "tig"
        )
        etree.SubElement(target, "term").text = term.target_term
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
