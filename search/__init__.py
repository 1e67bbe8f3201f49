"""zhsearch: full-text search over Chinese news and policy articles.

The library is organised the way the data flows:

- ``search.ingest``   files -> cleaned, labelled :class:`~search.model.Article` s
- ``search.text``     text -> terms: the fold, segmentation, synonyms (one chain for index and query)
- ``search.indexing`` articles -> the index, kept current incrementally (``search.store`` is the disk)
- ``search.query``    query syntax -> a tree of query nodes; corrections
- ``search.engine``   runs queries: matching, ranking, facet counts, typed hits with snippets
- ``search.present``  the JSON, URLs and citations built from those results
"""

__version__ = "0.1.0"
