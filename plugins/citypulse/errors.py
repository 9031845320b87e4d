"""Errors a person can act on: they name the file, row, column or check that failed."""

from __future__ import annotations


class CityPulseError(Exception):
    """An expected failure with a readable message; the CLI prints it without a traceback."""

    exit_code = 1


class RefusedError(CityPulseError):
    """The command ran but refused its input (failed audit, incomplete month, ...)."""

    exit_code = 2
