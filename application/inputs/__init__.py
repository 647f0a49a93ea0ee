"""Input rules: the one rule table for every field a transport accepts, the looser forms a model
writes, the checks that collect every field error of one input, and the JSON depth limit.

May import ``application.use_cases.idempotency``'s key rule only through the table, and the
domain. Imported by the use cases and the entrypoints' wire formats."""
