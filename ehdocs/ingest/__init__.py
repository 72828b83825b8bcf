"""Taking in what partners send the Early Help Hub.

parse.py    inside a parser process: an untrusted file's bytes -> plain data or a refusal
sandbox.py  ParserPool: parser processes with a memory cap and a time limit
blobs.py    received files kept by content (SHA-256) until handled
mail.py     e-mail messages -> their attached forms and who sent them
service.py  Ingestor: receive, read, check (the one validation path), reply; resumable
sources.py  files, folders, .eml, .mbox, an IMAP mailbox, an SMTP listener
reply.py    replies by SMTP: a fixed subject, a reference, what to fix; no personal data
cases.py    a submission into a new case or an existing one
matching.py likely matches: a child with the same date of birth and a similar name
setup.py    an Ingestor from the service's configuration
cli.py      `ehdocs ingest`
"""
