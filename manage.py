#!/usr/bin/env python
"""Django's manage.py; the same as the installed ``doudi`` command."""

from doudi.cli import main

if __name__ == "__main__":
    main()
