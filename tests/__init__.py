"""The test suite.

Every payload the tests write to Temporal is encrypted (callengine/codec.py) with these fixed
test keys, set here because this package is imported before any test module, conftest or
`python -m tests.record_history` touches Temporal. Fixed, so recorded histories replay on any
machine; never a developer's local key or a production key, whatever the shell has set.
"""

import os

# Two keys: `test-2` encrypts, `test-1` still decrypts (histories recorded before a rotation).
TEST_CODEC_KEYS = (
    "test-2:u41FtMnR1wDSBS75yinK8489Ng+/kWg8s3TqU7zMznE=,test-1:7/u1EyNuwDcoe/XzkmIGezlUuI96CGUEjj/w8pej4eM="
)
TEST_CODEC_TOKEN = "test-codec-token-0123456789abcdef"

# Development is an explicit choice (callengine/environment.py): the tests make it, for this
# process and every process they start.
os.environ["CALLENGINE_ENV"] = "development"
os.environ["CALLENGINE_CODEC_KEYS"] = TEST_CODEC_KEYS
os.environ["CALLENGINE_CODEC_TOKEN"] = TEST_CODEC_TOKEN
