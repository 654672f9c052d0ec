"""The live probe: compare the scopes a real token holds with what a manifest declares.

This subpackage is the only part of wsaudit that talks to the network, and the only one
that imports ``requests`` and ``google.auth``. Its modules import them at module level, so
nothing here is imported until the ``probe`` command runs:

* :mod:`auditor.probe.redaction` keeps secrets out of every message and log line;
* :mod:`auditor.probe.http_client` makes HTTP calls with a deadline, a size cap and retries
  (:mod:`auditor.probe.deadline` enforces the deadline);
* :mod:`auditor.probe.credentials` turns a token source into an access token;
* :mod:`auditor.probe.tokeninfo` asks the tokeninfo endpoint what a token holds;
* :mod:`auditor.probe.evidence` turns what the token holds into facts about a manifest,
  which the rules of ``policies/probe/live-token.yaml`` judge through :mod:`auditor.rules.engine`;
* :mod:`auditor.probe.directory` and :mod:`auditor.probe.inventory` inventory the
  third-party tokens of a whole domain, into the values of
  :mod:`auditor.probe.inventory_model` that every report format renders.
"""
