"""A 50-page English DOCX for the document benchmark: about 15,000 words of varied sentences in
headings, paragraphs with bold and italic runs, hyperlinks, footnotes and tables.

Built with python-docx; hyperlinks and footnotes (which python-docx cannot make) with lxml.
The text is generated from a fixed seed, so every run measures the same document, and almost
every sentence is distinct (the pipeline sends a repeated sentence to the engine once).
"""

from __future__ import annotations

import io
import random
import re
import zipfile
from pathlib import Path

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.text.paragraph import Paragraph

SUBJECTS = [
    "The committee", "Our team", "The new system", "Each regional office", "The annual report",
    "The project manager", "Most customers", "The finance department", "This method",
    "The engineers", "The city council", "Several partners", "The research group",
    "The board of directors", "A small company", "The school", "The hospital", "Many farmers",
    "The government", "The local library", "Our suppliers", "The sales team", "The museum",
    "The university", "The health service",
]  # fmt: skip
VERBS = [
    "reviewed", "approved", "described", "improved", "measured", "reduced", "explained",
    "supported", "changed", "delivered", "tested", "published", "recommended", "studied",
    "presented", "discussed", "prepared", "planned", "checked", "compared", "increased",
    "managed", "organised", "questioned", "accepted",
]  # fmt: skip
OBJECTS = [
    "the budget for next year", "the quality of the service", "several important changes",
    "the results of the survey", "the main risks of the project", "the cost of energy",
    "the new training programme", "the price of the tickets", "the plan for the new building",
    "the number of visitors", "the safety rules", "the working hours of the staff",
    "the design of the website", "the time needed for each task", "the use of water",
    "the contract with the supplier", "the schedule of the trains", "the size of the market",
    "the opinion of the public", "the rules for the competition", "the list of requirements",
    "the quality of the roads", "the future of the programme", "the age of the machines",
    "the records of the last meeting",
]  # fmt: skip
TAILS = [
    "in the first quarter", "after a long discussion", "with great care",
    "before the end of the month", "during the meeting in March", "for all members of staff",
    "without any delay", "in every department", "at the request of the director",
    "with the help of external experts", "for the third time this year",
    "in spite of the bad weather", "as part of the new strategy", "on behalf of the owners",
    "with the support of the community", "in the northern region", "over the last two years",
    "at a very low cost", "in a short report", "under difficult conditions",
]  # fmt: skip
JOINS = [". ", ", and ", " because ", ", but ", " while ", ". However, ", ". Then "]
WORDS_PER_PAGE = 300


class Writer:
    """Sentences from a fixed seed; every sentence counted in `words`."""

    def __init__(self, seed: int = 2026) -> None:
        self.rng = random.Random(seed)
        self.words = 0

    def clause(self) -> tuple[str, str, str]:
        rng = self.rng
        subject = rng.choice(SUBJECTS)
        if rng.random() < 0.5:
            subject = rng.choice(["Last year ", "In our view ", "Once again "]) + _lower(subject)
        predicate = f"{rng.choice(VERBS)} {rng.choice(OBJECTS)}"
        return subject, predicate, rng.choice(TAILS)

    def sentence(self) -> tuple[str, str, str]:
        """A sentence in three parts: before, the phrase to format, after."""
        subject, predicate, tail = self.clause()
        join = self.rng.choice(JOINS)
        second = ""
        if self.rng.random() < 0.6:
            other, more, last = self.clause()
            other = other if join == ". " else _lower(other)
            second = f"{join}{other} {more} {last}"
        text = f"{subject} {predicate} {tail}{second}."
        self.words += len(text.split())
        return f"{subject} ", predicate, f" {tail}{second}. "


def _lower(subject: str) -> str:
    return subject[0].lower() + subject[1:]


def add_hyperlink(paragraph: Paragraph, text: str, url: str) -> None:
    rid = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    paragraph._p.append(
        parse_xml(
            f'<w:hyperlink {nsdecls("w", "r")} r:id="{rid}"><w:r><w:rPr><w:rStyle '
            f'w:val="Hyperlink"/><w:color w:val="0563C1"/><w:u w:val="single"/></w:rPr>'
            f'<w:t xml:space="preserve">{text}</w:t></w:r></w:hyperlink>'
        )
    )


def add_footnote_reference(paragraph: Paragraph, number: int) -> None:
    paragraph._p.append(
        parse_xml(
            f'<w:r {nsdecls("w")}><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
            f'<w:footnoteReference w:id="{number}"/></w:r>'
        )
    )


def build(pages: int = 50) -> bytes:
    """The document's bytes: about `pages` x 300 words."""
    writer = Writer()
    document = docx.Document()
    document.core_properties.title = "Annual review of the regional services"
    notes: list[str] = []
    number = 0
    while writer.words < pages * WORDS_PER_PAGE:
        number += 1
        if number % 8 == 1:
            subject, predicate, _ = writer.clause()
            heading = f"{number // 8 + 1}. {subject} {predicate}"
            document.add_heading(heading, 1 + number % 2)
            writer.words += len(heading.split())
        paragraph = document.add_paragraph()
        for index in range(writer.rng.randint(3, 5)):
            before, phrase, after = writer.sentence()
            paragraph.add_run(before)
            if index == 1 and number % 3 == 0:
                add_hyperlink(paragraph, phrase, f"https://example.org/reports/{number}")
            else:
                run = paragraph.add_run(phrase)
                run.bold = index % 2 == 0
                run.italic = index % 2 == 1
            paragraph.add_run(after)
        if number % 4 == 0:
            notes.append("".join(writer.sentence()).strip())
            add_footnote_reference(paragraph, len(notes))
        if number % 20 == 0:
            table = document.add_table(rows=4, cols=3)
            for row in range(4):
                subject, predicate, tail = writer.clause()
                cells = (subject, f"{predicate} {tail}", f"{writer.rng.randint(10, 9999)}")
                for col, text in enumerate(cells):
                    table.cell(row, col).text = text
                writer.words += sum(len(c.split()) for c in cells)
    out = io.BytesIO()
    document.save(out)
    return with_footnotes(out.getvalue(), notes)


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


def with_footnotes(data: bytes, notes: list[str]) -> bytes:
    """`data` with a footnotes part holding `notes` (ids 1..n) and its relationship."""
    body = [
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
        '</w:footnote><w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r>'
        "<w:continuationSeparator/></w:r></w:p></w:footnote>"
    ]
    for index, text in enumerate(notes, 1):
        body.append(
            f'<w:footnote w:id="{index}"><w:p><w:r><w:rPr><w:vertAlign w:val="superscript"/>'
            f'</w:rPr><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> {text}</w:t></w:r>'
            f"</w:p></w:footnote>"
        )
    part = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:footnotes xmlns:w="{_W}">'
        + "".join(body)
        + "</w:footnotes>"
    ).encode()
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "[Content_Types].xml":
                content = content.replace(
                    b"</Types>",
                    f'<Override PartName="/word/footnotes.xml" ContentType="{_FOOTNOTES_TYPE}"/>'
                    "</Types>".encode(),
                )
            elif info.filename == "word/_rels/document.xml.rels":
                content = re.sub(
                    rb"</Relationships>",
                    b'<Relationship Id="rIdFootnotes" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/>'
                    b"</Relationships>",
                    content,
                )
            archive.writestr(info, content)
        archive.writestr("word/footnotes.xml", part)
    return out.getvalue()


def words_of(data: bytes) -> int:
    """Words a reader sees in the body, tables and footnotes (python-docx plus the notes)."""
    document = docx.Document(io.BytesIO(data))
    count = sum(len(p.text.split()) for p in document.paragraphs)
    for table in document.tables:
        count += sum(len(c.text.split()) for row in table.rows for c in row.cells)
    notes = zipfile.ZipFile(io.BytesIO(data)).read("word/footnotes.xml")
    root = parse_xml(notes)
    count += sum(len((t.text or "").split()) for t in root.iter(qn("w:t")))
    return count


if __name__ == "__main__":
    target = Path("bench/out/report-50-pages.docx")
    target.parent.mkdir(exist_ok=True)
    target.write_bytes(build())
    print(target, target.stat().st_size, "bytes", words_of(target.read_bytes()), "words")
