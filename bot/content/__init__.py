"""Content shipped with the bot: the message catalogue and the example programme file.

A package (not just a folder) so that the YAML files are installed with the bot and can be read with
``importlib.resources`` wherever it runs.
"""
