"""Online procedures: declarative definitions kept as TOML files in the repository.

Each file in ``procedures/`` describes one procedure (fields, document slots
with the inspection policy per slot, target department). The files are
validated when loaded; a broken one raises :class:`ProcedureDefinitionError`
naming the file and the field, so a bad definition never reaches a person.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from kammerpost.inspection import POLICY_NAMES
from kammerpost.languages import localised

PROCEDURE_DIR = Path(__file__).resolve().parent / "procedures"
FIELD_TYPES = ("text", "textarea", "date", "email", "choice", "department")
ANY_DEPARTMENT = "*"
# Field names the portal itself understands (they map onto the item, not form_data).
ITEM_FIELDS = ("department", "file_reference", "message")


class ProcedureDefinitionError(ValueError):
    """A procedure file is broken; the message names the file and the field."""


@dataclass(frozen=True)
class Choice:
    value: str
    label_de: str
    label_en: str

    @property
    def label(self) -> str:
        return localised(self, "label")


@dataclass(frozen=True)
class FieldDefinition:
    name: str
    label_de: str
    label_en: str
    type: str
    required: bool
    choices: tuple[Choice, ...] = ()

    @property
    def label(self) -> str:
        return localised(self, "label")


@dataclass(frozen=True)
class SlotDefinition:
    name: str
    label_de: str
    label_en: str
    required: bool
    policy: str
    multiple: bool = False

    @property
    def label(self) -> str:
        return localised(self, "label")


@dataclass(frozen=True)
class Procedure:
    slug: str
    title_de: str
    title_en: str
    description_de: str
    description_en: str
    department: str  # a department slug, or "*": the person chooses
    fields: tuple[FieldDefinition, ...]
    slots: tuple[SlotDefinition, ...]
    source: str
    # A legal rule wants the answer on paper (e.g. a notice that must be served):
    # the back office warns before replying electronically.
    paper_required: bool = False

    @property
    def title(self) -> str:
        return localised(self, "title")

    @property
    def description(self) -> str:
        return localised(self, "description")

    def slot(self, name: str) -> SlotDefinition | None:
        return next((s for s in self.slots if s.name == name), None)


class _Reader:
    """Reads one table of a definition, naming file and field in every error."""

    def __init__(self, source: str, where: str, table: Any) -> None:
        self.source, self.where = source, where
        if not isinstance(table, dict):
            self.fail("", "must be a table")
        self.table: dict[str, Any] = table

    def fail(self, key: str, problem: str) -> None:
        field = f"{self.where}.{key}" if self.where and key else (self.where or key)
        raise ProcedureDefinitionError(f"{self.source}: field {field!r} {problem}")

    def text(self, key: str, *, required: bool = True, default: str = "") -> str:
        value = self.table.get(key, None)
        if value is None:
            if required:
                self.fail(key, "is missing")
            return default
        if not isinstance(value, str) or (required and not value.strip()):
            self.fail(key, "must be a non-empty string")
        return str(value)

    def flag(self, key: str, default: bool) -> bool:
        value = self.table.get(key, default)
        if not isinstance(value, bool):
            self.fail(key, "must be true or false")
        return bool(value)

    def unknown(self, allowed: set[str]) -> None:
        extra = sorted(set(self.table) - allowed)
        if extra:
            self.fail(extra[0], "is not a known key")


def _field(source: str, index: int, table: Any) -> FieldDefinition:
    r = _Reader(source, f"fields[{index}]", table)
    r.unknown({"name", "label_de", "label_en", "type", "required", "choices"})
    name = r.text("name")
    if not name.isidentifier():
        r.fail("name", f"must be an identifier, not {name!r}")
    kind = r.text("type")
    if kind not in FIELD_TYPES:
        r.fail("type", f"must be one of {', '.join(FIELD_TYPES)}, not {kind!r}")
    choices: list[Choice] = []
    if kind == "choice":
        raw = r.table.get("choices")
        if not isinstance(raw, list) or not raw:
            r.fail("choices", "must be a non-empty list for type 'choice'")
        for position, entry in enumerate(raw):
            c = _Reader(source, f"fields[{index}].choices[{position}]", entry)
            choices.append(Choice(c.text("value"), c.text("label_de"), c.text("label_en")))
    return FieldDefinition(
        name=name,
        label_de=r.text("label_de"),
        label_en=r.text("label_en"),
        type=kind,
        required=r.flag("required", False),
        choices=tuple(choices),
    )


def _slot(source: str, index: int, table: Any) -> SlotDefinition:
    r = _Reader(source, f"slots[{index}]", table)
    r.unknown({"name", "label_de", "label_en", "required", "policy", "multiple"})
    name = r.text("name")
    if not name.isidentifier():
        r.fail("name", f"must be an identifier, not {name!r}")
    policy = r.text("policy", required=False, default="default")
    if policy not in POLICY_NAMES:
        r.fail(
            "policy", f"names no inspection policy: {policy!r} (known: {', '.join(POLICY_NAMES)})"
        )
    return SlotDefinition(
        name=name,
        label_de=r.text("label_de"),
        label_en=r.text("label_en"),
        required=r.flag("required", False),
        policy=policy,
        multiple=r.flag("multiple", False),
    )


def procedure_parse(source: str, data: dict[str, Any]) -> Procedure:
    """Validate one parsed definition; ``source`` names it in errors."""
    r = _Reader(source, "", data)
    r.unknown(
        {"slug", "title_de", "title_en", "description_de", "description_en", "department"}
        | {"fields", "slots", "paper_required"}
    )
    slug = r.text("slug")
    if not slug.replace("-", "").isalnum() or slug != slug.lower():
        r.fail("slug", f"must be lower-case letters, digits and '-', not {slug!r}")
    raw_fields, raw_slots = data.get("fields", []), data.get("slots", [])
    if not isinstance(raw_fields, list):
        r.fail("fields", "must be a list of tables ([[fields]])")
    if not isinstance(raw_slots, list):
        r.fail("slots", "must be a list of tables ([[slots]])")
    fields = tuple(_field(source, i, t) for i, t in enumerate(raw_fields))
    slots = tuple(_slot(source, i, t) for i, t in enumerate(raw_slots))
    for kind, names in (("fields", [f.name for f in fields]), ("slots", [s.name for s in slots])):
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            r.fail(kind, f"has the name {duplicates[0]!r} twice")
    if not slots:
        r.fail("slots", "must name at least one document slot")
    department = r.text("department")
    choosing = any(f.type == "department" for f in fields)
    if (department == ANY_DEPARTMENT) != choosing:
        r.fail("department", "must be '*' exactly when a field of type 'department' exists")
    return Procedure(
        slug=slug,
        title_de=r.text("title_de"),
        title_en=r.text("title_en"),
        description_de=r.text("description_de", required=False),
        description_en=r.text("description_en", required=False),
        department=department,
        fields=fields,
        slots=slots,
        source=source,
        paper_required=r.flag("paper_required", False),
    )


def procedures_load(directory: Path = PROCEDURE_DIR) -> dict[str, Procedure]:
    """Every definition in ``directory`` by slug, validated; raises on the first broken one."""
    procedures: dict[str, Procedure] = {}
    for path in sorted(directory.glob("*.toml")):
        try:
            with path.open("rb") as handle:
                data = tomllib.load(handle)
        except tomllib.TOMLDecodeError as exc:
            raise ProcedureDefinitionError(f"{path.name}: not valid TOML: {exc}") from exc
        procedure = procedure_parse(path.name, data)
        if procedure.slug in procedures:
            raise ProcedureDefinitionError(
                f"{path.name}: field 'slug' {procedure.slug!r} is used by "
                f"{procedures[procedure.slug].source} already"
            )
        procedures[procedure.slug] = procedure
    return procedures


@cache
def procedures_all() -> dict[str, Procedure]:
    return procedures_load()


def procedure_named(slug: str) -> Procedure | None:
    """The procedure with this slug; None for one whose file is gone (items keep the slug)."""
    return procedures_all().get(slug)


def procedure_title(slug: str) -> str:
    """The procedure's title in the active language; the slug itself if it no longer exists."""
    procedure = procedure_named(slug)
    return procedure.title if procedure is not None else slug
