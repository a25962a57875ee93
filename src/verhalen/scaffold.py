"""``verhalen init``: scaffold a new research project folder."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from verhalen.config import CONFIG_NAME
from verhalen.errors import VerhalenError
from verhalen.io import atomic_write_text

CONFIG_TEMPLATE = """\
# verhalen project configuration. See docs/configuration.md.

[project]
name = "{name}"
language = "nl"

# Roles and practices of this study (id = label). Reports group by these.
[roles]
moeder = "Moeder (deelnemende moeder of andere verzorger)"
vrijwilliger = "Vrijwilliger"
jeugdprofessional = "Jeugdprofessional"

[practices]
vve_hoogeveen = "VVE&O Hoogeveen"
huiskamer_groningen = "De Huiskamer Groningen"
alleenstaande_moeders_veendam = "Alleenstaande moedergroepen Veendam"

[speakers]
interviewer = ["I", "Interviewer", "INT"]
respondent = ["R", "Respondent"]
other = ["Tolk"]

[segmentation]
unit = "turn"            # turn | sentence | paragraph
respondent_only = true

[codebook]
files = ["codebook/zes_factoren.yaml"]

[privacy]
key_path = "private/pseudoniemen.json"   # keep outside data/ and reports/
style = "tags"                           # tags ([NAAM-3]) or names (fictitious names)
local_names = "codebook/lokale_namen.txt"
review_path = "private/review.json"

[report]
small_cell_k = 3
role_mapping = {{}}       # e.g. {{ verzorger = "moeder" }}

[nlp]
spacy_model = "auto"
"""

GITIGNORE = """\
# never commit the pseudonym key, generated reports or caches
private/
reports/*
data/corpus.jsonl
data/cache/
data/sheets/
data/codevoorstellen.jsonl
calibration/r*/*.xlsx
.venv/
"""

MANIFEST_HEADER = "id,name,role,practice,transcript,age,background,single,years_in_group\n"

FOLDERS = ("codebook", "data/raw", "data/coded", "notebooks", "reports", "private")


def init_project(folder: str | Path, name: str | None = None) -> list[Path]:
    """Create the project layout in ``folder``; returns the files written.

    Refuses to overwrite an existing ``verhalen.toml``.
    """
    root = Path(folder)
    config = root / CONFIG_NAME
    if config.exists():
        raise VerhalenError(
            f"{config}: a project already exists here — choose an empty folder, or edit the "
            "existing verhalen.toml"
        )
    for sub in FOLDERS:
        (root / sub).mkdir(parents=True, exist_ok=True)
    (root / "private").chmod(0o700)
    written = [config, root / ".gitignore", root / "data/raw/participants.csv"]
    atomic_write_text(config, CONFIG_TEMPLATE.format(name=name or root.resolve().name))
    atomic_write_text(root / ".gitignore", GITIGNORE)
    atomic_write_text(root / "data/raw/participants.csv", MANIFEST_HEADER)
    bundled = resources.files("verhalen") / "data" / "codebooks"
    if bundled.is_dir():
        for entry in bundled.iterdir():
            if entry.name.endswith(".yaml"):
                target = root / "codebook" / entry.name
                atomic_write_text(target, entry.read_text(encoding="utf-8"))
                written.append(target)
    return written
