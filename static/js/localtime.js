/*
 * Shows each talk time in the browser's time zone as well as the series' zone.
 *
 * The server marks <time data-localize> when it does not know the visitor's
 * zone (signed out, or no zone chosen in the profile); a zone the server
 * rendered is never touched. The text mirrors the talk_time template tag:
 * " (HH:MM–HH:MM ABBR your time)", with a date wherever the day differs.
 * Without JavaScript the page keeps the series' time alone. No inline code,
 * no innerHTML: it runs under a strict Content-Security-Policy.
 */
"use strict";

(function () {
  const locale = document.documentElement.lang || "en";
  const visitorZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const formatters = new Map();

  // One formatter per zone: building them is the slow part of Intl.
  function formatterFor(timeZone) {
    if (!formatters.has(timeZone)) {
      formatters.set(timeZone, new Intl.DateTimeFormat(locale, {
        timeZone: timeZone,
        weekday: "short",
        day: "numeric",
        month: "short",
        year: "numeric",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
        timeZoneName: "short",
      }));
    }
    return formatters.get(timeZone);
  }

  // The calendar day, clock time and zone abbreviation of an instant in a zone.
  function clock(date, timeZone) {
    const parts = {};
    for (const part of formatterFor(timeZone).formatToParts(date)) {
      parts[part.type] = part.value;
    }
    const day = parts.year + " " + parts.month + " " + parts.day;
    return {
      day: day,
      time: parts.hour + ":" + parts.minute,
      dated: parts.weekday + " " + parts.day + " " + parts.month + ", " + parts.hour + ":" + parts.minute,
      zoneName: parts.timeZoneName,
      wallClock: day + " " + parts.hour + ":" + parts.minute,
    };
  }

  // The series' clock, or null when this browser does not know the zone.
  function seriesClock(date, seriesZone) {
    try {
      return clock(date, seriesZone);
    } catch (error) {
      if (error instanceof RangeError) return null;
      throw error;
    }
  }

  function localTimeText(start, end, seriesZone) {
    const localStart = clock(start, visitorZone);
    const localEnd = clock(end, visitorZone);
    const seriesStart = seriesClock(start, seriesZone);
    const seriesEnd = seriesClock(end, seriesZone);
    if (seriesStart && seriesEnd
        && seriesStart.wallClock === localStart.wallClock
        && seriesEnd.wallClock === localEnd.wallClock) {
      return null;  // The visitor's clock reads the same: don't repeat it.
    }
    const sameDayAsSeries = seriesStart && seriesStart.day === localStart.day;
    const startText = sameDayAsSeries ? localStart.time : localStart.dated;
    const endText = localEnd.day === localStart.day ? localEnd.time : localEnd.dated;
    return "(" + startText + "–" + endText + " " + localStart.zoneName + " your time)";
  }

  function localize(element) {
    const start = new Date(element.getAttribute("datetime"));
    const end = new Date(element.dataset.end);
    if (isNaN(start) || isNaN(end)) return;
    const text = localTimeText(start, end, element.dataset.zone);
    if (text === null) return;
    const span = document.createElement("span");
    span.className = "local-time muted";
    span.title = visitorZone + " time";
    span.textContent = text;
    element.after(" ", span);
  }

  document.querySelectorAll("time[data-localize]").forEach(localize);
})();
