"""AuroraVault: a self-hostable photo vault for families."""

__version__ = "0.1.0"
