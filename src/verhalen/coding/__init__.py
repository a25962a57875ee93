"""Coding stage: the coded store, coding sheets and rule-based auto-coding."""

from verhalen.coding.store import CodedStore, CodingEvent

__all__ = ["CodedStore", "CodingEvent"]
