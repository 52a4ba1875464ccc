"""Signals of the working-day calendar.

``calendar_year_imported``: a year's official arrangement was added or replaced, so deadlines
that counted through that year (provisional ones: statutory holidays only) must be recomputed.

* sender: ``CalendarYear`` (the model class); keyword argument ``year`` (an ``int``).
* Sent once per year, after the transaction that changed the year has committed: by
  ``actions.calendar_import`` (an admin's file) and by ``actions.calendar_seed_from_library``
  for each year it adds. Not sent when a fresh database is seeded after ``migrate`` (no
  deadline can exist yet).
* When a receiver runs, ``selectors.work_calendar()`` already includes the year. Receivers run
  outside the import's transaction: do heavy recomputation in a task.

Example (in the deadline code's ``AppConfig.ready``)::

    from doudi.workcal.signals import calendar_year_imported

    def recompute(sender, *, year, **kwargs):
        recompute_provisional_deadlines.schedule(args=(year,))

    calendar_year_imported.connect(recompute, dispatch_uid="cases-recompute-deadlines")
"""

from django.dispatch import Signal

calendar_year_imported = Signal()
