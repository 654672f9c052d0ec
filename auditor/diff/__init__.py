"""``wsaudit diff``: what a change to manifests does to compliance, judged by the rules of
``policies/facts/diff-rules.yaml``.
"""
