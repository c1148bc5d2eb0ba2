"""A plain reference interpreter of conditions, written apart from the package on purpose.

It walks the syntax tree and applies the README's meaning of each test directly, with the
simplest date arithmetic (day by day). The compiled code must agree with it.
"""

import calendar
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from rules import ast as A
from rules.language import FIELDS

DATE_FIELDS = {f"{e}.{n}" for e, ns in FIELDS.items() for n, t in ns.items() if t == "date"}
MOMENT_FIELDS = {f"{e}.{n}" for e, ns in FIELDS.items() for n, t in ns.items() if t == "datetime"}
TEXT_FIELDS = {f"{e}.{n}" for e, ns in FIELDS.items() for n, t in ns.items() if t == "text"}


def zone(name):
    return timezone.utc if name == "UTC" else ZoneInfo(name)


def kind(e):
    """"date", "moment", "text", "number" or "yesno" of a value node."""
    if isinstance(e, A.Field):
        path = e.path
        if path in DATE_FIELDS:
            return "date"
        if path in MOMENT_FIELDS:
            return "moment"
        return "text" if path in TEXT_FIELDS else "number"
    if isinstance(e, (A.DateLiteral, A.Today)):
        return "date"
    if isinstance(e, A.Now):
        return "moment"
    if isinstance(e, A.Text):
        return "text"
    if isinstance(e, A.Number):
        return "number"
    if isinstance(e, A.YesNo):
        return "yesno"
    return kind(e.base)


def move_date(d, n, unit):
    if unit == "day":
        return d + timedelta(days=n)
    if unit == "week":
        return d + timedelta(days=7 * n)
    if unit == "business day":
        step = 1 if n > 0 else -1
        left = abs(n)
        while left:
            d += timedelta(days=step)
            if d.weekday() < 5:
                left -= 1
        return d
    months = n if unit == "month" else 12 * n
    total = d.year * 12 + d.month - 1 + months
    year, month = total // 12, total % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def move(v, n, unit, tz):
    if v is None:
        return None
    if isinstance(v, datetime):
        if unit == "minute":
            return v + timedelta(minutes=n)
        if unit == "hour":
            return v + timedelta(hours=n)
        local = v.astimezone(tz)
        wall = datetime.combine(move_date(local.date(), n, unit), local.time())
        return wall.replace(tzinfo=tz).astimezone(timezone.utc).astimezone(tz)
    return move_date(v, n, unit)


class Reference:
    def __init__(self, facts, now, tz_name):
        self.facts = facts
        self.now = now
        self.tz = zone(tz_name)
        self.today = now.astimezone(self.tz).date()

    def value(self, e):
        if isinstance(e, A.Field):
            record = self.facts.get(e.entity)
            return None if record is None else record.get(e.name)
        if isinstance(e, A.Text):
            return e.value
        if isinstance(e, A.Number):
            return e.value
        if isinstance(e, A.DateLiteral):
            return e.value
        if isinstance(e, A.Today):
            return self.today
        if isinstance(e, A.Now):
            return self.now
        if isinstance(e, A.YesNo):
            return e.value
        return move(self.value(e.base), e.sign * int(e.duration.amount), e.duration.unit, self.tz)

    def day_of(self, v):
        return v.astimezone(self.tz).date() if isinstance(v, datetime) else v

    def both(self, left, right):
        lv, rv = self.value(left), self.value(right)
        if "date" in (kind(left), kind(right)):
            lv, rv = self.day_of(lv), self.day_of(rv)
        return lv, rv

    @staticmethod
    def fold(node, v):
        if isinstance(node, A.Text):
            return v.strip().casefold()
        return v.casefold()

    def holds(self, c):
        if isinstance(c, A.And):
            return all([self.holds(p) for p in c.parts])
        if isinstance(c, A.Or):
            return any([self.holds(p) for p in c.parts])
        if isinstance(c, A.Not):
            return not self.holds(c.part)
        if isinstance(c, A.Group):
            return self.holds(c.inner)
        if isinstance(c, A.HasTag):
            record = self.facts.get(c.entity) or {}
            names = [t.casefold() for t in (record.get("tags") or [])]
            return (c.tag.value.strip().casefold() in names) != c.negated
        if isinstance(c, A.Empty):
            v = self.value(c.subject)
            return (v is None or (isinstance(v, str) and v.strip() == "")) != c.negated
        if isinstance(c, A.OneOf):
            return self.one_of(c)
        if isinstance(c, (A.Within, A.Ago)):
            return self.in_time(c)
        return self.compare(c)

    def one_of(self, c):
        v = self.value(c.left)
        if v is None:
            return c.negated
        hits = []
        for item in c.values:
            lv, rv = self.both(c.left, item)
            if rv is None:
                hits.append(False)
            elif kind(c.left) == "text":
                hits.append(self.fold(c.left, lv) == self.fold(item, rv))
            else:
                hits.append(lv == rv)
        return any(hits) != c.negated

    def in_time(self, c):
        v = self.value(c.subject)
        if v is None:
            return False
        start = self.now if isinstance(v, datetime) else self.today
        n, unit = int(c.duration.amount), c.duration.unit
        if isinstance(c, A.Within):
            return start <= v <= move(start, n, unit, self.tz)
        cutoff = move(start, -n, unit, self.tz)
        return v < cutoff if c.more else (cutoff < v and v <= start)

    def compare(self, c):
        lv, rv = self.both(c.left, c.right)
        op = c.op
        if op == "does not contain":
            return lv is None or rv is None or rv.casefold() not in lv.casefold()
        if op == "is not":
            return not self.compare(A.Compare(c.left, "is", c.right))
        if lv is None or rv is None:
            return False
        if op == "is":
            if kind(c.left) == "text":
                return self.fold(c.left, lv) == self.fold(c.right, rv)
            return lv == rv
        if op == "contains":
            return rv.casefold() in lv.casefold()
        if op == "starts with":
            return lv.casefold().startswith(rv.casefold())
        return {
            "<": lv < rv, "<=": lv <= rv, ">": lv > rv, ">=": lv >= rv,
            "is before": lv < rv, "is after": lv > rv,
        }[op]
