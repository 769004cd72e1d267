"""The project's own exception types: every message is meant to be read by an L&D lead."""


class MentoringError(Exception):
    """A problem to show the user in plain words."""


class IngestError(MentoringError):
    """A file cannot be loaded; the database was not changed."""


class MappingIncomplete(IngestError):
    """The columns could not all be mapped with confidence; the message names what is missing."""


class StoreBusy(MentoringError):
    """Another program holds the database file; try again shortly."""


class StoreError(MentoringError):
    """The database could not be read or written."""


class StoreMissing(MentoringError):
    """A command that reads or changes existing data was pointed at a database that is not there."""


class AccessDenied(MentoringError):
    """The person asking may not do this (their role does not allow it); nothing was changed."""
