"""Phrasing banks written by authors who never read the agent's code: development banks.

The tune and dev banks of `bench.phrases` were written by the agent's own
developers, so fixing the agent on them taught it their wording and little
else (dev reached 99 % while the held-out bank stayed at 73 %). These
were each written by a separate author from a brief that describes the acts
only (`indie_a`: older and formal callers, some British; `indie_b`: young,
hurried, casual; `indie_c`: non-native speakers and plain-spoken Southern and
Midwestern callers; `indie_d`: busy people calling from work who describe a
situation rather than name a request; `indie_e`: story-tellers who talk around
the topic, Scottish, Irish, Indian and Nigerian English), each with its own way
of reading numbers out (`spoken_value`) and e-mail addresses (`spoken_email`).
`indie_c` is a validation bank, read only as totals; the others are development
banks, whose failures are read and fixed (`indie_e` was meant to be a second
validation bank, but its opening lines were read while measuring the intent
classifier, so it counts as development). The held-out bank stays unread.
"""
