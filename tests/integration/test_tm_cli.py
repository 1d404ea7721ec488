"""`dragoman tm import|export` as a user runs them: a real process, a real SQLite database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dragoman.core.assets import tmx

PO = """msgid ""
msgstr ""
"Language: es\\n"
"Content-Type: text/plain; charset=UTF-8\\n"

msgid "Save"
msgstr "Guardar"

msgid "Open {name}"
msgstr "Abrir {name}"

msgid "Untranslated"
msgstr ""
"""

TMX = """<?xml version="1.0"?>
<tmx version="1.4"><header srclang="en-US"/><body>
<tu><tuv xml:lang="en-US"><seg>Close the window</seg></tuv>
<tuv xml:lang="es-ES"><seg>Cierre la ventana</seg></tuv></tu>
<tu><tuv xml:lang="en-US"><seg>Save</seg></tuv><tuv xml:lang="es-ES"><seg>Guardar</seg></tuv>
<tuv xml:lang="fr-FR"><seg>Enregistrer</seg></tuv></tu>
</body></tmx>
"""


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DRAGOMAN_DATA_DIR": str(tmp_path / "data"), "NO_COLOR": "1"}
    env.pop("DRAGOMAN_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "dragoman", *args], env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip


def test_import_export_round_trip(tmp_path: Path) -> None:
    assert _cli(tmp_path, "keys", "create", "--org", "acme").returncode == 0
    (tmp_path / "in.tmx").write_text(TMX)
    (tmp_path / "es.po").write_text(PO)

    done = _cli(
        tmp_path, "tm", "import", str(tmp_path / "in.tmx"), "--org", "acme", "--pair", "en-es"
    )
    assert done.returncode == 0, done.stderr
    assert "en -> es: 2 new entries" in done.stdout
    done = _cli(
        tmp_path, "tm", "import", str(tmp_path / "es.po"), "--org", "acme", "--pair", "en-es"
    )
    assert done.returncode == 0, done.stderr
    assert "en -> es: 2 new entries" in done.stdout  # "Save" again, with its key: a new entry

    out = tmp_path / "out.tmx"
    done = _cli(tmp_path, "tm", "export", "--org", "acme", "--pair", "en-es", str(out))
    assert done.returncode == 0, done.stderr
    units = list(tmx.read(str(out)))
    pairs = sorted((u.variants["en"], u.variants["es"]) for u in units)
    assert pairs == [
        ("Close the window", "Cierre la ventana"),
        ("Open {name}", "Abrir {name}"),
        ("Save", "Guardar"),
        ("Save", "Guardar"),
    ]
    assert sorted(u.props.get("x-dragoman-key", "") for u in units) == [
        "",
        "",
        "Open {name}",
        "Save",
    ]

    # the exported file imports into another organization unchanged, and again adds nothing
    assert _cli(tmp_path, "keys", "create", "--org", "beta").returncode == 0
    done = _cli(tmp_path, "tm", "import", str(out), "--org", "beta")
    assert done.returncode == 0 and "en -> es: 4 new entries" in done.stdout, done.stderr
    done = _cli(tmp_path, "tm", "import", str(out), "--org", "beta")
    assert "en -> es: 0 new entries" in done.stdout


def test_errors_name_what_is_wrong(tmp_path: Path) -> None:
    (tmp_path / "es.po").write_text(PO)
    (tmp_path / "bad.tmx").write_text("<tmx><body><tu></body></tmx>")
    assert _cli(tmp_path, "keys", "create", "--org", "acme").returncode == 0
    done = _cli(
        tmp_path, "tm", "import", str(tmp_path / "es.po"), "--org", "nobody", "--pair", "en-es"
    )
    assert done.returncode == 2 and "no organization called 'nobody'" in done.stderr
    done = _cli(tmp_path, "tm", "import", str(tmp_path / "es.po"), "--org", "acme")
    assert done.returncode == 2 and "--pair" in done.stderr
    done = _cli(tmp_path, "tm", "import", str(tmp_path / "bad.tmx"), "--org", "acme")
    assert done.returncode == 2 and "not well-formed TMX" in done.stderr
