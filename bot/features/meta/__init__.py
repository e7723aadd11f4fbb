"""The bot about itself: /help, and /start (the entry point of deep links)."""
