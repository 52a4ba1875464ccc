"""Pure helpers that need no database (phone numbers, check digits, working days, masking).

Nothing here imports Django models; import-linter holds that line.
"""
