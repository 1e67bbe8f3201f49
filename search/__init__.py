"""zhsearch: full-text search over Chinese news and policy articles.

The library is organised the way the data flows:

- ``search.ingest``   files -> cleaned, labelled :class:`~search.model.Article` s
- ``search.analysis`` text -> terms (one chain for index and query time)
- ``search.index``    articles -> Whoosh index, kept current incrementally
- ``search.query``    query syntax -> a tree of literal / word requirements
- ``search.searcher`` runs queries: matching, ranking, facets, snippets
"""

__version__ = "0.1.0"
