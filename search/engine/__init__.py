"""The search engine: one index state, matching, ranking, facet counts and the typed hits with their snippets."""
