"""The realtime half: audio, time, turn-taking and the brain that decides what to say."""
