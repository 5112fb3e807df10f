"""Client commands of the CLI (login, logout, upload, status, export): registered on the parser."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the client's subcommands to the ``auroravault`` parser."""
