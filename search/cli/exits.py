"""The exit statuses of every ``zhsearch`` command (listed in the README)."""

OK = 0  # done
FAILURE = 1  # an unexpected error (a bug: the message says what)
USAGE = 2  # bad usage: an unknown option, a parameter out of range
PARTIAL = 3  # some sources could not be read (the others were indexed or shown)
NO_INDEX = 4  # no usable index: missing, empty, built by another version, or damaged
BUSY = 5  # another `zhsearch index` is writing to the index
INTERRUPTED = 130  # Ctrl-C
