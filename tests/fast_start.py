"""Loaded before pytest's other plugins by the Makefile's runs (`-p tests.fast_start`, from the repository root).

nbval, a plugin, imports nbformat, and nbformat's jsonschema imports rfc3987_syntax, which compiles ~35 Lark
grammars: about 3 s of CPU in every pytest process, the xdist workers included, for a JSON-schema format no
notebook uses. acts.nbmeta.without_slow_iri_checker explains it; turning it off has to come before the plugins.
"""

from acts.nbmeta import without_slow_iri_checker

without_slow_iri_checker()
