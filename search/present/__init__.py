"""Presentation: the JSON, the URLs and the citations built from the engine's typed results."""
