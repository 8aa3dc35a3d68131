"""Practice in Discord: /quiz, /mock and their buttons (the cog is `cog.py`; `_views.py` draws
the embeds and buttons; the logic is bot.practice's)."""
