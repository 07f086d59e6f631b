"""Textual forms of a compiled space: the IR dump, JSON, Graphviz dot, the compile summary."""
