"""``wsaudit check-policy``: does a published privacy policy say what the app does?

The manifest says which Google APIs an app reaches and how, what data it keeps, where, for
how long and who receives it. A privacy policy is written by hand and drifts. This package
reads the policy (:mod:`.source`, :mod:`.fetch`), lists what the manifest obliges it to
disclose (:mod:`.facts`), looks for each fact in the text with word lists kept as data
(:mod:`.vocabulary`, :mod:`.matching`) and turns every fact into a finding of the project's
result model (:mod:`.verdicts`). Matching is explainable by design: a finding names the words
it matched and where, never a score.
"""
