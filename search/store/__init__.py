"""The index on disk: the only package that knows Whoosh.

- ``schema``   Whoosh fields, the analysis chain as Whoosh analyzers, the
               metadata file (versions, facet vocabularies), the errors
- ``record``   the stored paragraph record and its Whoosh document
- ``index``    opening, reading and changing an index folder
- ``segment``  writing new segments with each term's postings in bulk
- ``postings`` reading postings and columns in bulk, as numpy arrays
- ``arrays``   each segment's postings and positions as flat arrays (its own file)
- ``merge``    a run's new segments joined into one at the end of the run
- ``integrity`` the checksums a commit records, and checking them
- ``readahead`` a served state's files asked into the page cache as it opens
"""

from search.store.index import Index, IndexedFile, IndexReader, IndexUpdate, SegmentWriter, exists
from search.store.postings import EMPTY_IDS, EMPTY_TF, ArrayLRU, Postings
from search.store.record import StoredParagraph, analyze_article, header_of
from search.store.schema import (
    REBUILD_HINT, IndexDamaged, IndexLocked, IndexMissing, IndexUnavailable, IndexVersionError, Meta,
)

__all__ = [
    "EMPTY_IDS", "EMPTY_TF", "REBUILD_HINT", "ArrayLRU", "Index", "IndexDamaged",
    "IndexLocked", "IndexMissing", "IndexReader", "IndexUnavailable", "IndexUpdate", "IndexVersionError",
    "IndexedFile", "Meta", "Postings", "SegmentWriter", "StoredParagraph", "analyze_article", "exists",
    "header_of",
]
