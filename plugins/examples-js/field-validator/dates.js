// Just enough ISO 8601 to compare dates: `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM]`
// (no offset means UTC) and a bare time of day `HH:MM[:SS[.fff]]`. The same grammar as the Rust
// example's, so both accept and refuse the same texts.

const DAY_MS = 86_400_000;

// One regular expression per shape: under fuel, QuickJS spends far less in its (C) regex engine
// than in interpreted loops over char codes (MEASUREMENTS.md). Both follow the Rust grammar:
// `HH`, `MM`, `SS` and the offset's parts are runs of ASCII digits; the fraction's first three
// characters (padded with zeros) must be digits, the rest is ignored.
const CLOCK = "(\\d+):(\\d+)(?::(\\d+))?(?:\\.(?:(\\d{3})[^Zz+-]*|(\\d{0,2})))?(?:[Zz]|([+-])(\\d+)(?::(\\d+))?)?";
const TIME = new RegExp(`^${CLOCK}$`);
// A date and its optional time in one match: one regex run per date-time.
const DATE = new RegExp(`^(\\d{4})-(\\d{2})-(\\d{2})(?:[T ]${CLOCK})?$`);

/** A parsed moment: `{instant: ms since the epoch}` or, for bare times, `{timeOfDay: ms}`. */
export function parse(text) {
  text = text.trim();
  if (text.length >= 5 && text[2] === ":") {
    const t = TIME.exec(text);
    const ms = t === null ? undefined : clock(t, 1);
    return ms === undefined ? undefined : { timeOfDay: ms[0] };
  }
  const d = DATE.exec(text);
  if (d === null) return undefined;
  // Unary plus rather than Number(): an operator, not a call.
  const y = +d[1], m = +d[2], day = +d[3];
  if (m < 1 || m > 12 || day < 1 || day > daysInMonth(y, m)) return undefined;
  // Date.UTC reads years 0-99 as 1900-1999: shift those by a 400-year Gregorian cycle.
  let ms = y < 100 ? Date.UTC(y + 400, m - 1, day) - 146_097 * DAY_MS : Date.UTC(y, m - 1, day);
  if (d[4] !== undefined) {
    const t = clock(d, 4);
    if (t === undefined) return undefined;
    ms += t[0] - t[1];
  }
  return { instant: ms };
}

/** The CLOCK groups of match `t` from index `i`, as [ms since midnight, offset in ms]. */
function clock(t, i) {
  const h = +t[i], m = +t[i + 1], s = t[i + 2] === undefined ? 0 : +t[i + 2];
  if (h > 23 || m > 59 || s > 60) return undefined;
  const millis = t[i + 3] !== undefined ? +t[i + 3] : t[i + 4] ? +(t[i + 4] + "00").slice(0, 3) : 0;
  const sign = t[i + 5];
  const offset = sign === undefined ? 0
    : (sign === "-" ? -1 : 1) * (+t[i + 6] * 3_600_000 + (t[i + 7] === undefined ? 0 : +t[i + 7]) * 60_000);
  return [((h * 3600 + m * 60 + s) * 1000) + millis, offset];
}

const timeOfDay = (m) => (m.instant === undefined ? m.timeOfDay : ((m.instant % DAY_MS) + DAY_MS) % DAY_MS);

/** Orders `m` against `bound` (<0, 0, >0); a time-of-day bound compares times of day. */
export function compare(m, bound) {
  if (m.instant !== undefined && bound.instant !== undefined) return Math.sign(m.instant - bound.instant);
  return Math.sign(timeOfDay(m) - timeOfDay(bound));
}

/** An instant (ms since the epoch) as a moment. */
export const instant = (ms) => ({ instant: ms });

function daysInMonth(y, m) {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}
