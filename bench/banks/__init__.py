"""Phrasing banks written by authors who never read the agent's code: development banks.

The tune and dev banks of `bench.phrases` were written by the agent's own
developers, so fixing the agent on them taught it their wording and little
else (dev reached 99 % while the held-out bank stayed at 73 %). These three
were each written by a separate author from a brief that describes the acts
only (`indie_a`: older and formal callers, some British; `indie_b`: young,
hurried, casual; `indie_c`: non-native speakers and plain-spoken Southern and
Midwestern callers), each with its own way of reading numbers out
(`spoken_value`) and e-mail addresses (`spoken_email`). They are development
banks: their failures are read and fixed. The held-out bank stays unread.
"""
