"""The tests' calendar: procedure dates are fixed so no test depends on today."""

from __future__ import annotations

import datetime as dt

# Sunday 22 November 2026: the procedure date of most tests.
FIXED_DATE = dt.date(2026, 11, 22)
# Today, for the tool and every command a test starts: just before the fixed procedure
# dates, so they are never "in the past" as the calendar moves on.
TEST_TODAY = dt.date(2026, 11, 20)
