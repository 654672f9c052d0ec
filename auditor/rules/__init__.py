"""Judging: rule packs as data, the predicates they compile to, the facts computed about a
manifest, the engine, waivers, baselines, the policy's facts, report languages, and the batch
runner that audits many manifests.
"""
