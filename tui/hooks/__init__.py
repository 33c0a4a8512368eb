"""Alert hooks: run a command or POST a webhook when a task reaches a state, off the caller's thread.

`settings` reads the config's `[[hooks]]` tables, `event` turns a transition into the data a hook
receives (env vars for commands, a JSON body for webhooks, server text sanitized), `ledger` is the
dedupe/rate memory (the history, or in memory), `deliver` runs one hook once, and `runner` queues,
limits and dedupes. No Textual: the app, `tasktop hooks test` and `tasktop watch` share it.
"""
