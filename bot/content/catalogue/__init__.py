"""The message catalogue: every ``*.yaml`` file here is loaded by ``bot.catalogue.load_catalogue``.

Add texts for a new feature by adding a file of your own (e.g. ``scheduling.yaml``); a key may be
defined in only one file.
"""
