"""A real PostgreSQL server for the tests: Debian's, started on loopback by the suite.

``QUORUM_TEST_DATABASE=postgresql`` runs the scenario tests on it (``tests/helpers.py``'s
``Chat`` gives each test a database of its own); ``tests/peers/postgresql/test_server.py``
checks the server itself on every run.
"""

from .server import PostgresServer, PostgresStartError, shared, use_postgresql

__all__ = ["PostgresServer", "PostgresStartError", "shared", "use_postgresql"]
