"""The ``wsaudit`` command line: each module parses one command's options, calls the library
(:mod:`auditor.api`) and maps the outcome to an exit code (:mod:`auditor.cli.common`).

Nothing here judges a manifest; the command group is :mod:`auditor.cli.main`.
"""
