"""Reminders before a poll closes, privately to those who have not voted, and in the group."""
