"""Text analysis: the fold, segmentation and synonyms that turn text into terms, for the index and the query alike."""
