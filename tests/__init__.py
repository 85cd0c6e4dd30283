"""navai's test suite; it mirrors the package (see docs/contributing.md, "Where the tests are")."""
