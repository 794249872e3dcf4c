"""`make lock` for consent wordings: record new wordings (and the last day of those no longer used) in
`project/wording_lock.json`; refuse a wording whose text changed under the same id."""

import datetime
import sys

from project import wordings


def main():
    lock = wordings.read()
    try:
        updated = wordings.update(lock, wordings.in_use(), datetime.date.today())
    except wordings.WordingChanged as changed:
        print(f"make lock: {changed}", file=sys.stderr)
        return 2
    if updated == lock:
        print(f"{wordings.LOCK_FILE.name} is up to date")
    else:
        wordings.write(updated)
        print(
            f"{wordings.LOCK_FILE.name}: "
            + ", ".join(sorted(set(updated) ^ set(lock)) or ["last days recorded"])
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
