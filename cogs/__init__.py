"""discord.py extensions: thin adapters over the core in bot/."""
