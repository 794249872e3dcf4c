"""Build time: writes `functions/jtec_forms/bank_holidays.json`, Northern Ireland's bank holidays as the
`holidays` library knows them (country GB, subdivision NIR), for the years a data request's deadline can
fall in. The functions read the file (deadlines.py): the library is 14 MB and 160 ms to import, and stays
out of the Lambda package. Run `make bank-holidays` after upgrading the library or when the years run
short; a test fails while the file and the library disagree, or when it ends within three years."""

import datetime
import json
import sys

import holidays

from jtec_forms import deadlines

FIRST_YEAR = 2018  # the first privacy policy (content/policies/privacy/2018-05-25.md)
YEARS_AHEAD = 10


def calendar(first_year=FIRST_YEAR, last_year=None):
    """The file's content: where it came from, the years it covers and each bank holiday's date and name."""
    last_year = last_year or datetime.date.today().year + YEARS_AHEAD
    days = holidays.country_holidays("GB", subdiv="NIR", years=range(first_year, last_year + 1))
    return {
        "source": f"holidays {holidays.__version__}: country GB, subdivision NIR (Northern Ireland)",
        "first_year": first_year,
        "last_year": last_year,
        "dates": {day.isoformat(): name for day, name in sorted(days.items())},
    }


def main():
    deadlines.BANK_HOLIDAYS.write_text(
        json.dumps(calendar(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"wrote {deadlines.BANK_HOLIDAYS}", file=sys.stderr)


if __name__ == "__main__":
    main()
