"""Procedure definitions: the shipped ones load; a broken one names its file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from kammerpost.chamber.procedures import ProcedureDefinitionError, procedures_load

GOOD = """
slug = "test"
title_de = "Test"
title_en = "Test"
department = "verwaltung"
[[slots]]
name = "datei"
label_de = "Datei"
label_en = "File"
policy = "pdf-only"
"""


def test_shipped_procedures_load_and_cover_requirements_1_1() -> None:
    procedures = procedures_load()
    assert set(procedures) >= {
        "allgemein",
        "handwerksrolle-nachweise",
        "handwerksrolle-aenderung",
        "lehrlingsrolle-vertrag",
        "lehrlingsrolle-zeugnis",
        "pruefung-anmeldung",
    }
    contract = procedures["lehrlingsrolle-vertrag"].slot("vertrag")
    assert contract is not None and contract.policy == "pdf-only" and contract.required
    assert all(s.policy == "pdf-only" for s in procedures["pruefung-anmeldung"].slots)
    assert procedures["allgemein"].department == "*"


def test_a_good_definition_loads(tmp_path: Path) -> None:
    (tmp_path / "test.toml").write_text(GOOD)
    assert procedures_load(tmp_path)["test"].slots[0].policy == "pdf-only"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('policy = "pdf-only"', 'policy = "pdf-und-so"'), "field 'slots[0].policy'"),
        (('slug = "test"', 'slug = "Test Slug"'), "field 'slug'"),
        (('title_en = "Test"\n', ""), "field 'title_en' is missing"),
        (('label_en = "File"', 'label_en = "File"\ncolour = "red"'), "'slots[0].colour'"),
        (('department = "verwaltung"', 'department = "*"'), "field 'department'"),
    ],
)
def test_a_broken_definition_names_file_and_field(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    (tmp_path / "kaputt.toml").write_text(GOOD.replace(*change))
    with pytest.raises(ProcedureDefinitionError) as raised:
        procedures_load(tmp_path)
    assert str(raised.value).startswith("kaputt.toml: ")
    assert message in str(raised.value)


def test_a_field_of_unknown_type_is_refused(tmp_path: Path) -> None:
    (tmp_path / "typ.toml").write_text(
        GOOD + '[[fields]]\nname = "x"\nlabel_de = "X"\nlabel_en = "X"\ntype = "colour"\n'
    )
    with pytest.raises(ProcedureDefinitionError, match=r"typ.toml: field 'fields\[0\].type'"):
        procedures_load(tmp_path)


def test_invalid_toml_is_refused_with_the_file_name(tmp_path: Path) -> None:
    (tmp_path / "syntax.toml").write_text("slug = ")
    with pytest.raises(ProcedureDefinitionError, match=r"syntax\.toml: not valid TOML"):
        procedures_load(tmp_path)
