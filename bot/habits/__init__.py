"""Study habits: spaced review of missed questions, streaks, leaderboards, progress, and the
question of the day.

Nothing here imports Discord. The logic is pure (review, streaks, leaderboard, progress,
charts, reminders' times); `tables`, `repository`, `report` and `qotd` are its store side,
on SQLAlchemy Core. The cogs in bot/exts/habits and the CLI feed them and show the results.
"""
