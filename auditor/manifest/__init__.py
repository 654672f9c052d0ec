"""Reading app manifests: strict YAML and JSON with a position for every node, the v1 schema
check, the references the schema cannot express, the inventory reports show, and the starter
manifest of ``wsaudit init``.
"""
