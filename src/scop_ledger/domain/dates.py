"""Pure date arithmetic the rules and the queries share: whole years, the financial year's end."""

from __future__ import annotations

from datetime import date


def add_years(start: date, years: int) -> date:
    """``start`` plus whole years; 29 February becomes 28 February in a common year."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def year_end(fiscal_year_end: str, year: int) -> date:
    """The last day of the financial year that ends in calendar year ``year``, given the
    statutes' ``MM-DD`` fiscal-year end."""
    return date(year, int(fiscal_year_end[:2]), int(fiscal_year_end[3:]))


def add_months(start: date, months: int) -> date:
    """``start`` plus whole months; a day the month lacks becomes its last day."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    day = start.day
    while True:
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1
