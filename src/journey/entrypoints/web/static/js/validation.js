// The application form's checks, the same as the server's, so a person hears about a typo as
// they type instead of after sending. The server checks again: this only saves a round trip.
// National ids follow journey.query_side.citizen.national_ids (python-stdnum's algorithms).

export const COUNTRIES = [
  { code: "AR", name: "Argentina", example: "20-22830853-7", document: "CUIT / CUIL or DNI", phone: "+5491123456789" },
  { code: "BR", name: "Brazil", example: "668.766.638-09", document: "CPF", phone: "+5511912345678" },
  { code: "CL", name: "Chile", example: "9.735.906-7", document: "RUT", phone: "+56912345678" },
  { code: "CO", name: "Colombia", example: "78.255.267-8", document: "NIT or cédula", phone: "+573001234567" },
  { code: "EC", name: "Ecuador", example: "1314201813", document: "cédula", phone: "+593991234567" },
  { code: "MX", name: "Mexico", example: "SOFV531111MJCZRR05", document: "CURP", phone: "+525512345678" },
  { code: "PE", name: "Peru", example: "633631617", document: "DNI (with its check digit) or RUC", phone: "+51912345678" },
];

const REASONS = {
  empty: "the id is empty",
  length: "the id has the wrong length",
  format: "the id has characters or a shape this document never has",
  component: "a part of the id (region, date, type) is not valid",
  checksum: "the check digit does not match",
};

class Invalid extends Error {
  constructor(kind) {
    super(REASONS[kind] || kind);
  }
}

const isDigits = (text) => /^[0-9]+$/.test(text);
const strip = (text, chars) => Array.from(text).filter((c) => !chars.includes(c)).join("");

function chileRut(text) {
  let number = strip(text, " -.").toUpperCase().trim();
  if (number.startsWith("CL")) number = number.slice(2);
  if (number.length !== 8 && number.length !== 9) throw new Invalid("length");
  const body = number.slice(0, -1);
  if (!isDigits(body)) throw new Invalid("format");
  let sum = 0;
  Array.from(body).reverse().forEach((digit, i) => { sum += Number(digit) * (4 + ((5 - i) % 6 + 6) % 6); });
  if (number.slice(-1) !== "0123456789K"[sum % 11]) throw new Invalid("checksum");
}

function peruRuc(text) {
  const number = strip(text, " ").trim();
  if (number.length !== 11) throw new Invalid("length");
  if (!isDigits(number)) throw new Invalid("format");
  if (!["10", "15", "17", "20"].includes(number.slice(0, 2))) throw new Invalid("component");
  const weights = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
  const sum = weights.reduce((total, w, i) => total + w * Number(number[i]), 0);
  if (number.slice(-1) !== String(((11 - (sum % 11)) % 11) % 10)) throw new Invalid("checksum");
}

function peruDni(text) {
  const number = strip(text, " -").trim().toUpperCase();
  if (number.length === 8 && isDigits(number)) return; // no check digit to verify
  if (number.length !== 8 && number.length !== 9) throw new Invalid("length");
  if (!isDigits(number.slice(0, 8))) throw new Invalid("format");
  const weights = [3, 2, 7, 6, 5, 4, 3, 2];
  const c = weights.reduce((total, w, i) => total + w * Number(number[i]), 0) % 11;
  if (number.length > 8 && !("65432110987"[c] + "KJIHGFEDCBA"[c]).includes(number.slice(-1))) {
    throw new Invalid("checksum");
  }
}

function colombiaNit(text) {
  const number = strip(text, ".,- ").toUpperCase().trim();
  if (number.length < 8 || number.length > 16) throw new Invalid("length");
  if (!isDigits(number)) throw new Invalid("format");
  const weights = [3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71];
  const body = Array.from(number.slice(0, -1)).reverse();
  const sum = body.reduce((total, digit, i) => total + weights[i] * Number(digit), 0) % 11;
  if ("01987654321"[sum] !== number.slice(-1)) throw new Invalid("checksum");
}

function colombiaCedula(text) {
  const compact = Array.from(text).filter((c) => c >= "0" && c <= "9").join("");
  if (compact !== text.replaceAll(".", "").replaceAll(" ", "") || compact.length < 3 || compact.length > 10) {
    throw new Error("a cédula has 3 to 10 digits");
  }
}

const CURP_BLACKLIST = new Set(
  ("BACA BAKA BUEI BUEY CACA CACO CAGA CAGO CAKA CAKO COGE COGI COJA COJE COJI COJO COLA CULO " +
    "FALO FETO GETA GUEI GUEY JETA JOTO KACA KACO KAGA KAGO KAKA KAKO KOGE KOGI KOJA KOJE KOJI " +
    "KOJO KOLA KULO LILO LOCA LOCO LOKA LOKO MAME MAMO MEAR MEAS MEON MIAR MION MOCO MOKO MULA " +
    "MULO NACA NACO PEDA PEDO PENE PIPI PITO POPO PUTA PUTO QULO RATA ROBA ROBE ROBO RUIN SENO " +
    "TETA VACA VAGA VAGO VAKA VUEI VUEY WUEI WUEY").split(" "),
);
const CURP_STATES = new Set(
  ("AS BC BS CC CH CL CM CS DF DG GR GT HG JC MC MN MS NE NL NT OC PL QR QT SL SP SR TC TL TS " +
    "VZ YN ZS").split(" "),
);

function mexicoCurp(text) {
  const number = strip(text, "-_ ").toUpperCase().trim();
  if (number.length !== 18) throw new Invalid("length");
  if (!/^[A-Z]{4}[0-9]{6}[A-Z]{6}[0-9A-Z][0-9]$/.test(number)) throw new Invalid("format");
  if (CURP_BLACKLIST.has(number.slice(0, 4))) throw new Invalid("component");
  const year = Number(number.slice(4, 6)) + (/[0-9]/.test(number[16]) ? 1900 : 2000);
  const month = Number(number.slice(6, 8));
  const day = Number(number.slice(8, 10));
  const born = new Date(Date.UTC(year, month - 1, day));
  if (month < 1 || month > 12 || born.getUTCDate() !== day || born.getUTCMonth() !== month - 1) {
    throw new Invalid("component");
  }
  if (!"HM".includes(number[10])) throw new Invalid("component");
  if (!CURP_STATES.has(number.slice(11, 13))) throw new Invalid("component");
  const alphabet = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ";
  let check = 0;
  for (let i = 0; i < 17; i += 1) check += alphabet.indexOf(number[i]) * (18 - i);
  if (number[17] !== String((10 - (check % 10)) % 10)) throw new Invalid("checksum");
}

function brazilCpf(text) {
  const number = strip(text, " -.").trim();
  if (!isDigits(number) || Number(number) <= 0) throw new Invalid("format");
  if (number.length !== 11) throw new Invalid("length");
  if (new Set(number).size === 1) throw new Error("a CPF of one repeated digit is never issued");
  let d1 = 0;
  for (let i = 0; i < 9; i += 1) d1 += (10 - i) * Number(number[i]);
  d1 = ((11 - (d1 % 11)) % 11) % 10;
  let d2 = 0;
  for (let i = 0; i < 9; i += 1) d2 += (11 - i) * Number(number[i]);
  d2 = ((11 - ((d2 + 2 * d1) % 11)) % 11) % 10;
  if (number.slice(-2) !== `${d1}${d2}`) throw new Invalid("checksum");
}

function argentinaCuit(text) {
  const number = strip(text, " -").trim();
  if (number.length !== 11) throw new Invalid("length");
  if (!isDigits(number)) throw new Invalid("format");
  if (!["20", "23", "24", "27", "30", "33", "34", "50", "51", "55"].includes(number.slice(0, 2))) {
    throw new Invalid("component");
  }
  const weights = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
  const check = weights.reduce((total, w, i) => total + w * Number(number[i]), 0) % 11;
  if ("012345678990"[11 - check] !== number.slice(-1)) throw new Invalid("checksum");
}

function argentinaDni(text) {
  const number = strip(text, " .").trim();
  if (!isDigits(number)) throw new Invalid("format");
  if (number.length !== 7 && number.length !== 8) throw new Invalid("length");
}

function ecuadorCi(text) {
  const number = strip(text, " -").toUpperCase().trim();
  if (number.length !== 10) throw new Invalid("length");
  if (!isDigits(number)) throw new Invalid("format");
  const province = number.slice(0, 2);
  if ((province < "01" || province > "24") && !["30", "50"].includes(province)) throw new Invalid("component");
  if (number[2] > "6") throw new Invalid("component");
  let sum = 0;
  Array.from(number).forEach((digit, i) => {
    const value = (i % 2 === 0 ? 2 : 1) * Number(digit);
    sum += value > 9 ? value - 9 : value;
  });
  if (sum % 10 !== 0) throw new Invalid("checksum");
}

const alnumLength = (text) => Array.from(text).filter((c) => /[0-9A-Za-z]/.test(c)).length;

/** Check a national id of `country`; answers null when valid, else the reason (as the server says it). */
export function nationalIdProblem(country, raw) {
  const text = (raw || "").trim();
  if (!COUNTRIES.some((c) => c.code === country)) return "choose a country we serve";
  if (!text) return REASONS.empty;
  const check = {
    CL: chileRut,
    PE: alnumLength(text) === 11 ? peruRuc : peruDni,
    CO: text.includes("-") ? colombiaNit : colombiaCedula,
    MX: mexicoCurp,
    BR: brazilCpf,
    AR: alnumLength(text) === 11 ? argentinaCuit : argentinaDni,
    EC: ecuadorCi,
  }[country];
  try {
    check(text);
    return null;
  } catch (error) {
    return error.message;
  }
}

/** Email as the server's EmailStr accepts it (one @, a dotted domain, sensible lengths). */
export function emailProblem(raw) {
  const text = (raw || "").trim();
  if (!text) return "enter your email";
  if (text.length > 254) return "an email has at most 254 characters";
  const match = /^([^\s@]+)@([^\s@]+\.[^\s@.]{2,})$/.exec(text);
  if (!match || match[1].length > 64 || match[2].includes("..") || match[1].startsWith(".") || match[1].endsWith(".")) {
    return "this does not look like an email address (name@example.com)";
  }
  return null;
}

/** The phone in E.164 (+ country code and number, 7 to 15 digits), spaces and dashes removed. */
export function normalizePhone(raw) {
  return (raw || "").replace(/[\s().-]/g, "");
}

export function phoneProblem(raw) {
  const number = normalizePhone(raw);
  if (!number) return "enter your mobile number";
  if (!/^\+[1-9][0-9]{6,14}$/.test(number)) return "use the international format: + then country code and number";
  return null;
}

export function nameProblem(raw, what = "name") {
  const text = (raw || "").trim();
  if (!text) return `enter your ${what}`;
  if (text.length > 100) return `at most 100 characters`;
  if (/[0-9<>@]/.test(text)) return "names have no digits or symbols";
  return null;
}

export function surnamesOf(raw) {
  return (raw || "").trim().split(/\s+/).filter(Boolean);
}

export function surnamesProblem(raw) {
  const problem = nameProblem(raw, "surname");
  if (problem) return problem;
  if (surnamesOf(raw).length > 3) return "at most three surnames";
  return null;
}

/** A birth date: a real day, in the past, someone of age (18) and alive (under 120). */
export function birthDateProblem(raw, today = new Date()) {
  if (!raw) return "enter your date of birth";
  const born = new Date(`${raw}T00:00:00Z`);
  if (Number.isNaN(born.getTime())) return "enter a real date";
  const years = (today.getTime() - born.getTime()) / (365.2425 * 86400000);
  if (years < 0) return "a date of birth is in the past";
  if (years < 18) return "you must be 18 or over to apply";
  if (years > 120) return "check the year";
  return null;
}

export function requiredProblem(raw, what, max = 120) {
  const text = (raw || "").trim();
  if (!text) return `enter the ${what}`;
  if (text.length > max) return `at most ${max} characters`;
  return null;
}

export function postalCodeProblem(raw) {
  const text = (raw || "").trim();
  if (!text) return "enter the postal code";
  if (!/^[0-9A-Za-z][0-9A-Za-z -]{1,10}$/.test(text)) return "letters, digits, spaces or dashes (up to 11)";
  return null;
}

/** Fill every <select data-countries> with the countries we serve. */
export function fillCountries(root = document, selected = "CL") {
  for (const select of root.querySelectorAll("select[data-countries]")) {
    select.replaceChildren(
      ...COUNTRIES.map((c) => {
        const option = document.createElement("option");
        option.value = c.code;
        option.textContent = c.name;
        if (c.code === selected) option.selected = true;
        return option;
      }),
    );
  }
}

export function exampleFor(country) {
  const found = COUNTRIES.find((c) => c.code === country);
  return found ? `${found.example} (${found.document})` : "";
}

/** A mobile number of the country in international format, for a placeholder. */
export function phoneExampleFor(country) {
  const found = COUNTRIES.find((c) => c.code === country);
  return found ? found.phone : "+56912345678";
}
