"""medcode-bot: medical-coding study-group answers for Discord and the command line."""

__version__ = "0.1.0"
