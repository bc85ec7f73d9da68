import logging


class NoTracebackForClientErrors(logging.Filter):
    """A 403 or 404 is someone knocking on a door that is not theirs: one line in the log, not a traceback. Server
    errors (5xx) keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
