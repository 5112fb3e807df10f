"""Service tests that need a MetaStore run on every adapter, as the contract suite does."""

from tests.meta.conftest import meta  # noqa: F401  (the parametrized ``meta`` fixture)
