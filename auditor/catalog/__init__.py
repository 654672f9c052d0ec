"""Facts from Google: the OAuth scope catalog with the provenance of each classification,
scope spelling, and the registrable domains of URLs.
"""
