"""The case: one family episode as data, its JSON format and its timescales."""
