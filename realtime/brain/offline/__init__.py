"""The offline agent: a deterministic intent + slot dialog for the seed's top five intents.

It needs no key and no network, answers in microseconds, and is the automatic
fallback when the LLM fails. The policy is DESIGN.md's playbook:

- identify first (caller ID, else phone / e-mail / order number), then the
  billing ZIP as second factor — the workflow enforces it, this agent just
  follows it politely; what the caller said with the request is not asked again;
- digit strings heard over the phone are read back and confirmed before use
  (keypad entry is exact and is used as is); "no, it's 10483" corrects;
- every fact spoken comes from a tool result of this call; a failed lookup is
  said plainly, and only an unavailable backend is called an outage;
- no question is asked more than twice in a row: then another way, then a person;
- "say that again" repeats, slower, and never counts against the caller.

Modules: `brain` (routing and repair around every turn), `step` (the one
ask / read-back / retry step), `agent` (tools, tickets, handoffs), one module
per flow (`identity`, `orders`, `scheduling`, `account`, `support` with
`knowledge`), and `lines` (every spoken template).
"""

from realtime.brain.offline.brain import OfflineBrain
from realtime.brain.offline.lines import ANYTHING_ELSE, GOODBYE, GREETING, MENU, read_back

__all__ = ["ANYTHING_ELSE", "GOODBYE", "GREETING", "MENU", "OfflineBrain", "read_back"]
