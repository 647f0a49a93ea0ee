"""The hand-off webhook in process: behaviour, signatures, validation, queued answers, ``say``, and
the input table through both transports."""
