"""Speech-to-text providers behind one interface (`base.py`); one file per vendor."""
