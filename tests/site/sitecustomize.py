"""Imported at start-up by every Python process the test suite starts (the Makefile's test targets put this folder
on PYTHONPATH): JupyterLab and Voila servers, nbgrader, nbconvert, check-env, kernels.

All but the kernels import jsonschema (through nbformat or jupyter_events), whose format checkers import
rfc3987_syntax, which compiles about 35 Lark grammars: 2-3 s of CPU per process for an "iri" format that no
notebook or event schema uses. acts.nbmeta.without_slow_iri_checker explains it; tests/fast_start.py does the same
for the pytest processes themselves. Nothing else changes: a learner's processes load it as before.
"""

import sys

sys.modules.setdefault("rfc3987_syntax", None)  # importing it now raises ImportError: jsonschema skips "iri"
