"""Example roster files shipped with the package (see bot.roster)."""
