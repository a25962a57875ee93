"""`verhalen audit-privacy`: clean on pseudonymised outputs, loud (but masked) on leaks."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
import matplotlib
import openpyxl
import pytest
from fpdf import FPDF
from typer.testing import CliRunner

from verhalen.cli import app
from verhalen.corpus import Corpus
from verhalen.privacy import PrivacyEngine, PseudonymKey, pseudonymise_corpus
from verhalen.privacy.audit import Auditor, Identifier
from verhalen.privacy.detect import Detection
from verhalen.privacy.extract import blocks
from verhalen.privacy.normalise import Kind
from verhalen.project import Project

runner = CliRunner()
FONT = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


def pdf_bytes(lines: list[str], unicode_font: bool = False) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    if unicode_font:
        pdf.add_font("dejavu", fname=str(FONT))
        pdf.set_font("dejavu", size=11)
    else:
        pdf.set_font("helvetica", size=11)
    for line in lines:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def write_outputs(folder: Path, text: str) -> None:
    """A report in every output format, made from ``text``."""
    folder.mkdir(parents=True, exist_ok=True)
    paragraphs = [p for p in text.split("\n") if p.strip()][:12]
    (folder / "rapport.md").write_text("# Rapport\n\n" + "\n\n".join(paragraphs), "utf-8")
    html = "".join(f"<p>{p.replace('[', '<b>[').replace(']', ']</b>')}</p>\n" for p in paragraphs)
    (folder / "rapport.html").write_text(f"<html><body>{html}</body></html>", "utf-8")
    (folder / "citaten.csv").write_text(
        "id,citaat\n"
        + "\n".join(f'{i},"{p.replace(chr(34), "")}"' for i, p in enumerate(paragraphs)),
        "utf-8",
    )
    book = openpyxl.Workbook()
    sheet = book.active
    for p in paragraphs:
        sheet.append(["moeder", p])
    book.save(folder / "tabel.xlsx")
    (folder / "poster.pdf").write_bytes(pdf_bytes(paragraphs[:4]))
    (folder / "poster_unicode.pdf").write_bytes(pdf_bytes(paragraphs[:4], unicode_font=True))
    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    document.save(str(folder / "handreiking.docx"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "project.qde",
            '<Project name="voorbeeld"><Sources>'
            '<TextSource name="int01" plainTextPath="sources/int01.txt"/>'
            "</Sources></Project>",
        )
        archive.writestr("sources/int01.txt", text)
    (folder / "export.qdpx").write_bytes(buffer.getvalue())


@pytest.fixture
def audited(example_project: Path) -> tuple[Path, str]:
    """The example project with a key, and its int01 pseudonymised (without deduce)."""
    project = Project.open(example_project)
    corpus, _ = project.ingest(write=False)
    engine = PrivacyEngine.from_project(project, corpus.participants, use_deduce=False)
    key = PseudonymKey()
    part = Corpus(corpus.participants, corpus.transcripts[:2], corpus.unit)
    pseudo, _ = pseudonymise_corpus(part, engine, key)
    key.register(Detection(0, 9, "Groningen", Kind.plaats))
    key.save(project.key_path)
    return example_project, pseudo.transcript("int01").text


def audit(project: Path, *paths: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["audit-privacy", *map(str, paths), "--project", str(project)])
    return result.exit_code, result.output


def test_outputs_made_from_pseudonymised_text_pass(audited: tuple[Path, str]) -> None:
    project, text = audited
    out = project / "reports"
    write_outputs(out, text)
    (out / "figuur.png").write_bytes(b"\x89PNG\r\n")
    code, output = audit(project, out)
    assert code == 0, output
    assert "No identifiers found in 8 file(s)" in output and "not scanned" in output


LEAKS = {
    "plain.md": "Dat zei Samira tegen mij.",
    "case.md": "DAT ZEI SAMIRA TEGEN MIJ.",
    "diacritics.md": "Dat zei Sâmïra tegen mij.",
    "linebreak.md": "Dat zei mevrouw El\nAmrani tegen mij.",
    "hyphen.txt": "Dat zei Sa-\nmira tegen mij.",
    "spaces.md": "Dat zei Samira   El    Amrani tegen mij.",
    "tags.html": "<p>Dat zei <b>Sa</b><i>mi</i>ra tegen mij.</p>",
    "split.html": "<p>Dat zei Samira El</p>\n<p>Amrani tegen mij.</p>",
}


@pytest.mark.parametrize("name", sorted(LEAKS))
def test_a_planted_leak_is_found_and_never_shown(audited: tuple[Path, str], name: str) -> None:
    project, _ = audited
    path = project / "reports" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text("Titel\n\n" + LEAKS[name], encoding="utf-8")
    code, output = audit(project, path)
    assert code == 1
    assert re.search(rf"{re.escape(str(path))}:3: [SAE]…[ai] \(naam\)", output), output
    assert "amira" not in output.lower() and "amrani" not in output.lower()
    assert "Error: " in output


def test_leaks_inside_binary_formats_are_found(audited: tuple[Path, str]) -> None:
    project, text = audited
    out = project / "reports"
    write_outputs(out, text + "\nOok Joyce Bakker was er.")
    book = openpyxl.Workbook()
    book.active.append(["citaat", "Samira vond het fijn"])
    book.save(out / "tabel.xlsx")
    (out / "poster.pdf").write_bytes(pdf_bytes(["Samira El", "Amrani vond het fijn"]))
    (out / "poster_unicode.pdf").write_bytes(pdf_bytes(["Oekraïne en Sámira"], True))
    code, output = audit(project, out)
    assert code == 1
    for name in ("tabel.xlsx", "poster.pdf", "poster_unicode.pdf", "export.qdpx"):
        assert name in output, output
    assert "export.qdpx!sources/int01.txt" in output
    assert "samira" not in output.lower() and "bakker" not in output.lower()


def test_common_words_public_labels_and_word_parts_are_not_flagged(
    audited: tuple[Path, str],
) -> None:
    project, _ = audited
    path = project / "reports" / "rapport.md"
    path.parent.mkdir(exist_ok=True)
    path.write_text(
        "We gingen naar de bakker en het bos.\nDe Huiskamer Groningen (VVE&O "
        "Hoogeveen) is open.\nEen kimono en een Kimberley-achtige kast.\n",
        "utf-8",
    )
    code, output = audit(project, path)
    assert code == 0, output
    path.write_text("Toen kwam Bakker binnen.\nIn Groningen woont ze.\n", "utf-8")
    code, output = audit(project, path)
    assert code == 1 and ":1: B…r (naam)" in output and ":2: G…n (plaats)" in output


def test_audit_without_anything_to_look_for_says_what_to_do(mini_project: Path) -> None:
    result = runner.invoke(
        app, ["audit-privacy", str(mini_project), "--project", str(mini_project)]
    )
    assert result.exit_code == 1
    assert "nothing to audit against" in result.output and "verhalen pseudonymise" in result.output


def test_auditor_reports_lines_of_pdf_and_xlsx_blocks() -> None:
    auditor = Auditor([Identifier("Hollandscheveld", "wijk")])
    data = pdf_bytes(["Eerste regel", "Ze woont in Hollandsche-", "veld."])
    found = [f for b in blocks("p.pdf", data) for f in auditor.scan_text(b.text, b.where)]
    assert [(f.line, f.masked, f.kind) for f in found] == [(2, "H…d", "wijk")]
    compact = auditor.scan_text("Holland sche veld", "x")
    assert [f.masked for f in compact] == ["H…d"]
    assert auditor.scan_text("vve_hollandscheveld", "x") == []


def test_a_file_named_after_a_participant_is_reported_masked(audited: tuple[Path, str]) -> None:
    project, _ = audited
    folder = project / "reports" / "samira"
    folder.mkdir(parents=True)
    (folder / "verslag_Samira.md").write_text("Niets bijzonders.\n", "utf-8")
    code, output = audit(project, project / "reports")
    assert code == 1 and ":0: S…a (naam)" in output and "S…a/verslag_S…a.md" in output
    assert "samira" not in output.lower()


def test_a_mistyped_path_is_an_error_not_a_clean_audit(tmp_path: Path) -> None:
    from verhalen.errors import NotFoundError
    from verhalen.privacy.audit import Identifier, audit_paths

    with pytest.raises(NotFoundError, match="nothing to audit"):
        audit_paths([tmp_path / "raports"], [Identifier("Samira", "naam")])
