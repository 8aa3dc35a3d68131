"""Study habits in Discord: /review, /me, /progress, /leaderboard and the question of the day
(one cog a module; `_views.py` draws the embeds and buttons; the logic is bot.habits's)."""
