"""Issue 15, item 1: a fact's ``source`` is a name, never a path; page slugs never collide."""

from __future__ import annotations

from pathlib import Path

import pytest

from cuadra.report.site.common import doc_slug
from cuadra.transcription.sources import find_source
from hostile.corpus import DOC, Project, rows, run

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "fixtures" / "sources"


def test_a_document_id_is_looked_up_inside_the_folder_only(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET", encoding="utf-8")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "link.txt").symlink_to(secret)
    assert find_source([SOURCES], "000_18269b3800bc8850.txt") == SOURCES / "000_18269b3800bc8850.txt"
    for doc in ("/etc/passwd", "../../etc/passwd", str(secret), "..", ".", "", "a/../000_18269b3800bc8850.txt",
                "..\\secret.txt", "000_18269b3800bc8850.txt\x00"):
        assert find_source([SOURCES, tmp_path / "src"], doc) is None, doc
    assert find_source([tmp_path / "src"], "link.txt") is None  # a symlink out of the folder


def test_path_sources_never_reach_the_site(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    secret = project.root / "secret.txt"
    secret.write_text("root:x:0:0:SECRET-LINE", encoding="utf-8")
    traversal = "../" * 12 + str(secret).lstrip("/")
    data = project.facts([*rows(source="/etc/passwd"), *rows(source=traversal, period="2021"),
                          *rows(source=str(secret), period="2019")])
    code, err = run(project.validate(data, "--docs", str(project.out / "site")), capsys, project)
    assert code in (0, 1), err
    pages = {p: p.read_text(encoding="utf-8") for p in (project.out / "site").rglob("*.html")}
    written = [p.name for p in (project.out / "site" / "fuentes").glob("*")]
    assert written == [doc_slug(DOC)], "a source page only for the rule's own document, none for a path"
    for page, text in pages.items():
        assert "SECRET-LINE" not in text and "root:x:0:0:root" not in text, page


def test_colliding_ids_get_distinct_pages() -> None:
    assert doc_slug("/etc/passwd") != doc_slug("../../etc/passwd")
    assert doc_slug("/etc/passwd").startswith("etc_passwd-")  # readable stem, then a short hash
    assert doc_slug("000_18269b3800bc8850.txt") == doc_slug("000_18269b3800bc8850.txt")


def test_each_document_keeps_its_own_page(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    data = project.facts([*rows(source="/etc/passwd"), *rows(source="../../etc/passwd", period="2021")])
    code, err = run(project.validate(data, "--docs", str(project.out / "site")), capsys, project)
    assert code in (0, 1), err
    pages = sorted((project.out / "site" / "documentos").glob("*.html"))
    assert [p.name for p in pages] == sorted([doc_slug("/etc/passwd"), doc_slug("../../etc/passwd")])
