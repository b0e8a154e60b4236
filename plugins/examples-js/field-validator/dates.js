// Just enough ISO 8601 to compare dates: `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM]`
// (no offset means UTC) and a bare time of day `HH:MM[:SS[.fff]]`. The same grammar as the Rust
// example's, so both accept and refuse the same texts.

const DAY_MS = 86_400_000;

// One regular expression per shape: under fuel, QuickJS spends far less in its (C) regex engine
// than in interpreted loops over char codes (MEASUREMENTS.md). Both follow the Rust grammar:
// `HH`, `MM`, `SS` and the offset's parts are runs of ASCII digits; the fraction's first three
// characters (padded with zeros) must be digits, the rest is ignored.
const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]([^]*))?$/;
const TIME = /^(\d+):(\d+)(?::(\d+))?(?:\.(?:(\d{3})[^Zz+-]*|(\d{0,2})))?(?:[Zz]|([+-])(\d+)(?::(\d+))?)?$/;

/** A parsed moment: `{instant: ms since the epoch}` or, for bare times, `{timeOfDay: ms}`. */
export function parse(text) {
  text = text.trim();
  if (text.length >= 5 && text[2] === ":") {
    const t = parseTime(text);
    return t && { timeOfDay: t[0] };
  }
  const d = DATE.exec(text);
  if (d === null) return undefined;
  const y = Number(d[1]), m = Number(d[2]), day = Number(d[3]);
  if (m < 1 || m > 12 || day < 1 || day > daysInMonth(y, m)) return undefined;
  let ms = daysFromCivil(y, m, day) * DAY_MS;
  if (d[4] !== undefined) {
    const t = parseTime(d[4]);
    if (!t) return undefined;
    ms += t[0] - t[1];
  }
  return { instant: ms };
}

const timeOfDay = (m) => (m.instant === undefined ? m.timeOfDay : ((m.instant % DAY_MS) + DAY_MS) % DAY_MS);

/** Orders `m` against `bound` (<0, 0, >0); a time-of-day bound compares times of day. */
export function compare(m, bound) {
  if (m.instant !== undefined && bound.instant !== undefined) return Math.sign(m.instant - bound.instant);
  return Math.sign(timeOfDay(m) - timeOfDay(bound));
}

/** An instant (ms since the epoch) as a moment. */
export const instant = (ms) => ({ instant: ms });

/** `HH:MM[:SS[.fff]][Z|±HH[:MM]]` as [ms since midnight, offset in ms]. */
function parseTime(text) {
  const t = TIME.exec(text);
  if (t === null) return undefined;
  const h = Number(t[1]), m = Number(t[2]), s = t[3] === undefined ? 0 : Number(t[3]);
  if (h > 23 || m > 59 || s > 60) return undefined;
  const millis = t[4] !== undefined ? Number(t[4]) : t[5] ? Number((t[5] + "00").slice(0, 3)) : 0;
  const offset = t[6] === undefined ? 0
    : (t[6] === "-" ? -1 : 1) * (Number(t[7]) * 3_600_000 + (t[8] === undefined ? 0 : Number(t[8])) * 60_000);
  return [((h * 3600 + m * 60 + s) * 1000) + millis, offset];
}

function daysInMonth(y, m) {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
function daysFromCivil(y, m, d) {
  y = m <= 2 ? y - 1 : y;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}
