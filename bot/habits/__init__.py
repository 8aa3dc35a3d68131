"""Study habits: spaced review of missed questions, streaks, leaderboards and progress.

Pure logic (no Discord, no database): the cogs and the CLI feed it rows and show its results.
"""
