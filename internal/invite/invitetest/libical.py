# Reads one iCalendar object on stdin, parses it with libical (ICalGLib),
# runs libical's RFC 5546 (iTIP) restriction checks and prints what it read
# as JSON: the errors libical found, then the values of the one VEVENT.
import json
import sys

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib as ical  # noqa: E402

P = ical.PropertyKind
C = ical.ComponentKind


def name(comp):
    return ical.Component.kind_to_string(comp.isa())


def properties(comp, kind):
    p = comp.get_first_property(kind)
    while p is not None:
        yield p
        p = comp.get_next_property(kind)


def components(comp, kind):
    c = comp.get_first_component(kind)
    while c is not None:
        yield c
        c = comp.get_next_component(kind)


def lic_errors(comp, out):
    # Parse errors and failed restrictions both become X-LIC-ERROR properties.
    for p in properties(comp, P.XLICERROR_PROPERTY):
        out.append(name(comp) + ": " + p.get_xlicerror())
    for child in components(comp, C.ANY_COMPONENT):
        lic_errors(child, out)
    return out


def value(comp, kind):
    p = comp.get_first_property(kind)
    return None if p is None else p.get_value_as_string()


def param(prop, name):
    return prop.get_parameter_as_string(name) or ""


def cn(prop):
    # get_cn decodes RFC 6868 (^' and ^^); get_parameter_as_string does not.
    p = prop.get_first_parameter(ical.ParameterKind.CN_PARAMETER)
    return "" if p is None else p.get_cn()


def utc(t):
    return {"value": t.as_ical_string(), "utc": bool(t.is_utc())}


def main():
    text = sys.stdin.buffer.read().decode("utf-8")
    errors = []
    cal = ical.Parser.parse_string(text)
    if cal is None:
        print(json.dumps({"errors": ["libical parsed nothing"]}))
        return
    if cal.isa() != C.VCALENDAR_COMPONENT:
        errors.append("top-level component is %s, not VCALENDAR" % name(cal))
    if not cal.check_restrictions():
        errors.append("libical's RFC 5546 restriction check failed")
    lic_errors(cal, errors)
    if ical.errno_return() != ical.ErrorEnum.NO_ERROR:
        errors.append("libical error: %s" % ical.errno_return().value_nick)
    events = list(components(cal, C.VEVENT_COMPONENT))
    others = [name(c) for c in components(cal, C.ANY_COMPONENT) if c.isa() != C.VEVENT_COMPONENT]
    out = {
        "errors": errors,
        "method": value(cal, P.METHOD_PROPERTY),
        "prodid": value(cal, P.PRODID_PROPERTY),
        "version": value(cal, P.VERSION_PROPERTY),
        "events": len(events),
        "other_components": others,
    }
    if len(events) == 1:
        ev = events[0]
        org = ev.get_first_property(P.ORGANIZER_PROPERTY)
        out.update({
            "uid": ev.get_uid(),
            "sequence": ev.get_sequence(),
            "status": value(ev, P.STATUS_PROPERTY),
            "dtstamp": utc(ev.get_dtstamp()),
            "dtstart": utc(ev.get_dtstart()),
            "dtend": utc(ev.get_dtend()),
            "summary": ev.get_summary(),
            "description": ev.get_description(),
            "location": ev.get_location(),
            "url": value(ev, P.URL_PROPERTY),
            "organizer": None if org is None else {"cn": cn(org), "address": org.get_organizer()},
            "attendees": [
                {
                    "cn": cn(a),
                    "address": a.get_attendee(),
                    "role": param(a, "ROLE"),
                    "partstat": param(a, "PARTSTAT"),
                    "rsvp": param(a, "RSVP"),
                }
                for a in properties(ev, P.ATTENDEE_PROPERTY)
            ],
        })
    print(json.dumps(out))


main()
