"""REFI-QDA variables: typed values for participant attributes and document variables.

A REFI-QDA ``Variable`` has one type for all its values. ``verhalen`` picks the narrowest
type that holds every value (Boolean, Integer, Float, else Text); a ``None`` becomes a
``VariableValue`` without a value, so "known to be empty" survives a round trip. In a
Float variable, whole numbers are written without a decimal point and read back as
``int`` (like the participants manifest), floats always with one.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from decimal import Decimal

from lxml import etree

from verhalen.interchange.xmltools import kid, text_of, xml_safe
from verhalen.records import AttributeValue

VALUE_ELEMENTS = {
    "Text": "TextValue",
    "Boolean": "BooleanValue",
    "Integer": "IntegerValue",
    "Float": "FloatValue",
    "Date": "DateValue",
    "DateTime": "DateTimeValue",
}
Value = AttributeValue | dt.date


def _is_number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def variable_type(values: Iterable[object]) -> str:
    """The REFI-QDA ``typeOfVariable`` that holds every (non-``None``) value."""
    present = [v for v in values if v is not None]
    if not present:
        return "Text"
    if all(isinstance(v, bool) for v in present):
        return "Boolean"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "Integer"
    if all(_is_number(v) for v in present):
        return "Float"
    if all(isinstance(v, dt.date) and not isinstance(v, dt.datetime) for v in present):
        return "Date"
    return "Text"


def format_float(value: float) -> str:
    """A float as an ``xsd:decimal`` that reads back as exactly the same float."""
    text = format(Decimal(repr(value)), "f")
    return text if "." in text else text + ".0"


def value_text(value: object, kind: str) -> str:
    """The text of a value element for a variable of type ``kind``."""
    if kind == "Boolean":
        return "true" if value else "false"
    if kind == "Float" and isinstance(value, float):
        return format_float(value)
    if kind in ("Date", "DateTime") and isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def add_value(
    parent: etree._Element, ns: str, variable_guid: str, kind: str, value: object
) -> bool:
    """Append a ``VariableValue``; returns whether text had to be cleaned for XML."""
    vv = etree.SubElement(parent, f"{{{ns}}}VariableValue")
    etree.SubElement(vv, f"{{{ns}}}VariableRef").set("targetGUID", variable_guid)
    if value is None:
        return False
    text, n = xml_safe(value_text(value, kind))
    etree.SubElement(vv, f"{{{ns}}}{VALUE_ELEMENTS[kind]}").text = text
    return n > 0


def read_value(vv: etree._Element) -> Value:
    """The Python value of a ``VariableValue`` (canonicalised tree)."""
    for kind, tag in VALUE_ELEMENTS.items():
        el = kid(vv, tag)
        if el is None:
            continue
        raw = text_of(el)
        text = raw.strip()
        if kind == "Boolean":
            return text.lower() in ("true", "1")
        if kind == "Integer":
            try:
                return int(text)
            except ValueError:
                return raw
        if kind == "Float":
            try:
                if any(c in text for c in ".eE"):
                    return float(text)
                return int(text)
            except ValueError:
                return raw
        if kind == "Date":
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                return raw
        return raw
    return None


def as_attribute(value: Value) -> AttributeValue:
    """A value as a participant attribute (dates become ISO text)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
