// Just enough ISO 8601 to compare dates: `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM]`
// (no offset means UTC) and a bare time of day `HH:MM[:SS[.fff]]`. The same grammar as the Rust
// example's, so both accept and refuse the same texts.

const DAY_MS = 86_400_000;

/** A parsed moment: `{instant: ms since the epoch}` or, for bare times, `{timeOfDay: ms}`. */
export function parse(text) {
  text = text.trim();
  if (text.length >= 5 && text[2] === ":") {
    const t = parseTime(text);
    return t && { timeOfDay: t[0] };
  }
  const days = parseDate(text.slice(0, 10));
  if (days === undefined) return undefined;
  let ms = days * DAY_MS;
  const rest = text.slice(10);
  if (rest[0] === "T" || rest[0] === " ") {
    const t = parseTime(rest.slice(1));
    if (!t) return undefined;
    ms += t[0] - t[1];
  } else if (rest !== "") {
    return undefined;
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

function num(s) {
  return /^[0-9]+$/.test(s) ? Number(s) : undefined;
}

function parseDate(date) {
  if (date.length !== 10 || date[4] !== "-" || date[7] !== "-") return undefined;
  const [y, m, d] = [num(date.slice(0, 4)), num(date.slice(5, 7)), num(date.slice(8, 10))];
  if (y === undefined || m === undefined || d === undefined) return undefined;
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return undefined;
  return daysFromCivil(y, m, d);
}

/** `HH:MM[:SS[.fff]][Z|±HH:MM]` as [ms since midnight, offset in ms]. */
function parseTime(time) {
  const z = time.search(/[Zz+-]/);
  const split = z < 0 ? time.length : z;
  const [clock, zone] = [time.slice(0, split), time.slice(split)];
  let offset = 0;
  if (zone !== "" && zone !== "Z" && zone !== "z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const body = zone.slice(1);
    const colon = body.indexOf(":");
    const [h, m] = colon < 0 ? [num(body), 0] : [num(body.slice(0, colon)), num(body.slice(colon + 1))];
    if (h === undefined || m === undefined) return undefined;
    offset = sign * (h * 3_600_000 + m * 60_000);
  }
  const dot = clock.indexOf(".");
  const [hms, fraction] = dot < 0 ? [clock, ""] : [clock.slice(0, dot), clock.slice(dot + 1)];
  const parts = hms.split(":");
  if (parts.length < 2 || parts.length > 3) return undefined;
  const [h, m] = [num(parts[0]), num(parts[1])];
  const s = parts.length === 3 ? num(parts[2]) : 0;
  if (h === undefined || m === undefined || s === undefined || h > 23 || m > 59 || s > 60) return undefined;
  let millis = 0;
  if (fraction !== "") {
    millis = num([...fraction, "0", "0", "0"].slice(0, 3).join(""));
    if (millis === undefined) return undefined;
  }
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
