"""Time-zone abbreviations people write, and the place (IANA zone) usually meant by each.

An abbreviation such as ``EST`` is either unknown to the zone database or, where it exists, a fixed
offset that never changes for daylight saving time; a person given one would get nudges an hour off for
half the year. So an abbreviation is never accepted as it is: the person is asked to write the place, and
the usual place is suggested. Edit distance is no help here (``EST`` is as close to ``Brazil/West`` as to
anything), which is why the map is explicit.

Some abbreviations name several places; :data:`AMBIGUOUS` lists the alternatives so that the message can
say which one was chosen and how to pick another.
"""

from __future__ import annotations

ZONE_HINTS: dict[str, str] = {
    "utc": "UTC",
    "gmt": "Europe/London",
    "bst": "Europe/London",
    "wet": "Europe/Lisbon",
    "west": "Europe/Lisbon",
    "cet": "Europe/Paris",
    "cest": "Europe/Paris",
    "met": "Europe/Paris",
    "eet": "Europe/Athens",
    "eest": "Europe/Athens",
    "msk": "Europe/Moscow",
    "est": "America/New_York",
    "edt": "America/New_York",
    "et": "America/New_York",
    "cst": "America/Chicago",
    "cdt": "America/Chicago",
    "ct": "America/Chicago",
    "mst": "America/Denver",
    "mdt": "America/Denver",
    "mt": "America/Denver",
    "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles",
    "pt": "America/Los_Angeles",
    "akst": "America/Anchorage",
    "hst": "Pacific/Honolulu",
    "ist": "Asia/Kolkata",
    "sgt": "Asia/Singapore",
    "hkt": "Asia/Hong_Kong",
    "jst": "Asia/Tokyo",
    "kst": "Asia/Seoul",
    "aest": "Australia/Sydney",
    "aedt": "Australia/Sydney",
    "acst": "Australia/Adelaide",
    "awst": "Australia/Perth",
    "nzst": "Pacific/Auckland",
    "nzdt": "Pacific/Auckland",
    "sast": "Africa/Johannesburg",
    "cat": "Africa/Maputo",
    "eat": "Africa/Nairobi",
    "wat": "Africa/Lagos",
}

# Abbreviations used for more than one place: the alternatives to the suggestion in ZONE_HINTS.
AMBIGUOUS: dict[str, tuple[str, ...]] = {
    "ist": ("Europe/Dublin", "Asia/Jerusalem"),
    "cst": ("Asia/Shanghai", "America/Havana"),
    "bst": ("Asia/Dhaka",),
}


def zone_hint(text: str) -> tuple[str, tuple[str, ...]] | None:
    """``("America/New_York", ())`` for ``"est"``; ``("Asia/Kolkata", ("Europe/Dublin", ...))`` for
    ``"IST"``; ``None`` when the text is no abbreviation we know."""
    key = text.strip().lower()
    zone = ZONE_HINTS.get(key)
    if zone is None:
        return None
    return zone, AMBIGUOUS.get(key, ())
