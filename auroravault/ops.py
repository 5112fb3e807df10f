"""Operator commands of the CLI (check): registered on the parser."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the operator subcommands to the ``auroravault`` parser."""
