"""``wsaudit verify-readiness``: the answers Google's OAuth verification asks for, from a
manifest (clauses VR-1 and VR-2), and the pieces still missing, as findings."""
