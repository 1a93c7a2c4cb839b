"""Text-to-speech providers behind one interface (`base.py`); one file per vendor."""
