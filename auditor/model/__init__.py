"""The result model every command shares: findings and reports (:mod:`.findings`), the error
tree with locations (:mod:`.errors`), and the sanitizer for text from outside
(:mod:`.text_safety`). Everything else depends on this package; it depends on nothing else.
"""
