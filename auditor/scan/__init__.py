"""Least privilege from code: the Google API calls a code base makes and the scopes they need.

``methods`` reads the method table generated from Google's discovery documents,
``calls`` finds client-library, Apps Script and raw HTTP calls in lexed source,
``apps_script`` and ``restrictions`` hold the hand-kept facts (with their Google sources),
``least`` computes the least-privileged scope set and compares it with a manifest;
``drift`` compares the scopes a code base asks for with its manifest (``wsaudit scan-code``),
reading the files ``source_files`` selects through ``lexer``; ``report`` turns a scan into the
report model every format renders; ``evidence`` turns it into facts for the audit rules.
"""
